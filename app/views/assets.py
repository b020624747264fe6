"""Cache-busted static URLs (``/static/css/base.css?v=<content hash>``), and their minified build.

The hash changes whenever the file does, so nginx can serve ``/static/`` with a year-long
cache lifetime and browsers still see every deploy at once.

The stylesheets and scripts are written to be read: comments, indentation, long names.
``python -m app.views.asset_build`` (``make run``, the test suite, the Docker image and every
deploy run it, as Django's ``collectstatic`` is run; it needs no settings, only the code)
writes a minified copy of each under ``static/dist/`` with rCSSmin and rJSmin, and a
manifest of the sources it was made from. ``asset_url`` links the minified copy only while
its source is unchanged: an edited file (in development) or a deploy that forgot the build
serves the readable source, never a stale copy; production logs a warning once per file
when that happens.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin
from flask import current_app, url_for

log = logging.getLogger(__name__)

BUILD = "dist"
MANIFEST = "manifest.json"
MINIFIERS: dict[str, Callable[[str], str]] = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}
SOURCES = ("css", "js")


def asset_url(filename: str) -> str:
    folder = current_app.static_folder or "static"
    # In debug mode every call looks at the files again, so edits show at once; otherwise the
    # answer is worked out once per process (pages link a dozen assets on every request).
    if current_app.debug:
        served, version = _served(folder, filename)
    else:
        served, version = _served_once(folder, filename)
    return url_for("static", filename=served, v=version)


@cache
def _served_once(folder: str, filename: str) -> tuple[str, str]:
    served, version = _served(folder, filename)
    if served == filename and Path(filename).suffix in MINIFIERS:
        log.warning("%s is served unminified: run `python -m app.views.asset_build`", filename)
    return served, version


def _served(folder: str, filename: str) -> tuple[str, str]:
    """The file to link for ``filename`` (its minified build when current) and its version."""
    static_folder = Path(folder).resolve()
    path = _inside(static_folder, filename)
    if path.suffix in MINIFIERS:
        built = static_folder / BUILD / filename
        manifest = _manifest(static_folder / BUILD / MANIFEST)
        if built.is_file() and manifest.get(filename) == _digest(path):
            return f"{BUILD}/{filename}", _digest(built)[:12]
    return filename, _digest(path)[:12]


def _inside(static_folder: Path, filename: str) -> Path:
    path = (static_folder / filename).resolve()
    if not path.is_relative_to(static_folder) or not path.is_file():
        raise FileNotFoundError(f"No static asset named {filename!r}")
    return path


def _manifest(path: Path) -> dict[str, str]:
    try:
        return _read_manifest(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return {}


@cache
def _read_manifest(path: Path, mtime_ns: int) -> dict[str, str]:
    try:
        found = json.loads(path.read_text())
    except ValueError:
        return {}
    return {str(name): str(digest) for name, digest in found.items()}


def _digest(path: Path) -> str:
    return _fingerprint(path, path.stat().st_mtime_ns)


@cache
def _fingerprint(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
