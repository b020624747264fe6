"""``python -m app.views.asset_build``: the minified stylesheets and scripts pages link.

rCSSmin and rJSmin write a minified copy of each file under ``static/css`` and ``static/js``
to ``static/dist/``, with a manifest of the sources' hashes (``assets.asset_url`` links a
copy only while its source is unchanged). It needs no settings, only the code, so it runs
wherever the code is installed: ``make run``, the test suite, the Docker image, a deploy.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.views.assets import BUILD, MANIFEST, MINIFIERS, SOURCES


@dataclass(frozen=True)
class Built:
    name: str
    source_bytes: int
    built_bytes: int


def build(static_folder: Path) -> list[Built]:
    """Minify every stylesheet and script into ``static/dist``; the same input, the same files.

    Each file and the manifest are written beside their final name and renamed into place,
    so a server (or a second build) running meanwhile reads either the old file or the new.
    """
    static_folder = static_folder.resolve()
    out = static_folder / BUILD
    manifest: dict[str, str] = {}
    done = []
    for area in SOURCES:
        for source in sorted((static_folder / area).rglob("*")):
            minify = MINIFIERS.get(source.suffix)
            if minify is None or not source.is_file():
                continue
            name = source.relative_to(static_folder).as_posix()
            text = source.read_bytes()
            minified = minify(text.decode()).encode()
            _write(out / name, minified)
            manifest[name] = hashlib.sha256(text).hexdigest()
            done.append(Built(name, len(text), len(minified)))
    _write(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
    return done


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == data:
        return  # unchanged: keep its time, and nginx's ETag with it
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        temporary.chmod(0o644)  # nginx reads it; mkstemp makes files for their owner only
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def main() -> None:
    static_folder = Path(__file__).resolve().parents[1] / "static"
    built = build(static_folder)
    before = sum(item.source_bytes for item in built)
    after = sum(item.built_bytes for item in built)
    print(f"Built {len(built)} files into {static_folder / BUILD}: {before:,} bytes to {after:,}.")


if __name__ == "__main__":
    main()
