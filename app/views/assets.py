"""Cache-busted static URLs: ``/static/css/app.css?v=<content hash>``.

The hash changes whenever the file does, so nginx can serve ``/static/`` with
a year-long cache lifetime and browsers still see every deploy at once.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


@cache
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    static_folder = Path(current_app.static_folder or "static")
    path = (static_folder / filename).resolve()
    if not path.is_relative_to(static_folder.resolve()) or not path.is_file():
        raise FileNotFoundError(f"No static asset named {filename!r}")
    return url_for("static", filename=filename, v=_fingerprint(path, path.stat().st_mtime_ns))
