"""Cache-busted static URLs: ``/static/css/base.css?v=<content hash>``.

The hash changes whenever the file does, so nginx can serve ``/static/`` with
a year-long cache lifetime and browsers still see every deploy at once.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


def asset_url(filename: str) -> str:
    folder = current_app.static_folder or "static"
    # In debug mode every call looks at the file again, so edits show at once; otherwise the
    # answer is worked out once per process (pages link a dozen assets on every request).
    version = _version(folder, filename) if current_app.debug else _version_once(folder, filename)
    return url_for("static", filename=filename, v=version)


@cache
def _version_once(folder: str, filename: str) -> str:
    return _version(folder, filename)


def _version(folder: str, filename: str) -> str:
    static_folder = Path(folder).resolve()
    path = (static_folder / filename).resolve()
    if not path.is_relative_to(static_folder) or not path.is_file():
        raise FileNotFoundError(f"No static asset named {filename!r}")
    return _fingerprint(path, path.stat().st_mtime_ns)


@cache
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
