"""Media storage on this host's disk (``MEDIA_STORAGE=local``, the default).

    <root>/public/<key[:2]>/<key>/<variant>.webp    served by nginx at /media/...
    <root>/private/<key[:2]>/<key>/<variant>.webp   reached only through X-Accel-Redirect

A video's renditions sit beside its poster's sizes, as ``<variant>.mp4``.

A private file has no URL at all: the app checks who may see it, then tells nginx to send
it from an internal location (or sends it itself, without nginx). Every write is atomic,
so a reader never sees half a file. ``move`` takes many keys at once (a whole account
hidden or restored): one rename per key, and one fsync per fan-out folder however many
keys there are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import send_file
from werkzeug.wrappers import Response

from app.services.media.storage_base import (
    COPY_BLOCK,
    KEY_PATTERN,
    Content,
    Located,
    checked_key,
    checked_variant,
    file_name,
    mimetype_of,
    variant_of,
)

PUBLIC_URI, PRIVATE_URI = "/media", "/_private_media"
_AREAS = {True: "public", False: "private"}


class LocalMediaStorage:
    """MediaStorage on the local filesystem (files 0644 and folders 0755, for nginx to read)."""

    def __init__(self, root: str | Path, *, x_accel: bool = False) -> None:
        self.root = Path(root)
        self.x_accel = x_accel  # behind nginx: private files go by X-Accel-Redirect

    def _folder(self, key: str, public: bool) -> Path:
        return self.root / _AREAS[public] / key[:2] / checked_key(key)

    def save(self, key: str, variants: Mapping[str, Content], *, public: bool) -> None:
        """Write every variant, or none: a failure removes what this call wrote."""
        names = [checked_variant(name) for name in variants]
        folder = self._folder(key, public)
        _make_folders(self.root, folder)
        written: list[Path] = []
        try:
            for name in names:
                written.append(_write_atomically(folder / file_name(name), variants[name]))
            _sync(folder)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            _remove_empty(folder, folder.parent)
            raise
        self._remove(key, public=not public)  # a key lives in one area only

    def delete(self, key: str) -> None:
        for public in (True, False):
            self._remove(key, public=public)

    def set_public(self, key: str, public: bool) -> None:
        self.move([key], public=public)

    def move(self, keys: Iterable[str], *, public: bool) -> list[str]:
        """Move each key's folder into the area with one rename, so at every moment each
        file is in exactly one area; returns the keys that moved (not those already there).

        The folders the renames touched are synced once at the end, not once per key:
        hiding an account of thousands of photos costs a rename per photo.
        """
        moved: list[str] = []
        touched: set[Path] = set()
        for key in keys:
            source, target = self._folder(key, not public), self._folder(key, public)
            if not source.is_dir():
                continue
            if target.parent not in touched:
                _make_folders(self.root, target.parent)
            try:
                source.rename(target)  # replaces an empty target folder, never a full one
            except OSError:  # both areas hold files of the key: a move cut short by a crash
                _merge(source, target)
            touched |= {source.parent, target.parent}
            moved.append(key)
        for folder in touched:
            _sync(folder)
        for folder in touched:
            _remove_empty(folder)  # a fan-out folder the moves emptied
        return moved

    def locate(self, key: str, variant: str) -> Located | None:
        name = file_name(variant)
        for public in (True, False):
            if (self._folder(key, public) / name).is_file():
                return Located(key, variant, public)
        return None

    def path_of(self, located: Located) -> Path:
        return self._folder(located.key, located.public) / file_name(located.variant)

    def internal_uri(self, located: Located) -> str:
        """The public URL path, or the nginx-internal one for X-Accel-Redirect."""
        relative = f"{located.key[:2]}/{located.key}/{file_name(located.variant)}"
        return f"{PUBLIC_URI if located.public else PRIVATE_URI}/{relative}"

    @contextmanager
    def open(self, located: Located) -> Iterator[tuple[IO[bytes], int]]:
        with self.path_of(located).open("rb") as stream:
            yield stream, os.fstat(stream.fileno()).st_size

    def send(self, located: Located, *, cache_control: str) -> Response:
        """Behind nginx, a private file goes by X-Accel-Redirect (nginx answers ranges);
        otherwise Flask sends it, conditional and ranged."""
        mimetype = mimetype_of(located.variant)
        if not located.public and self.x_accel:
            response = Response(status=200, content_type=mimetype)
            response.headers["X-Accel-Redirect"] = self.internal_uri(located)
        else:
            path = self.path_of(located)
            response = send_file(path, mimetype=mimetype, conditional=True, etag=True)
        response.headers["Cache-Control"] = cache_control
        return response

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".readyz-"):
            pass

    def stored_keys(self) -> Iterator[tuple[str, float]]:
        """Every stored key once, with its newest file time, for a sweep of orphaned files."""
        for key, folder, public in self._key_folders():
            yield from self._listed(key, folder, public)

    def stored_files(self) -> Iterator[tuple[Located, int]]:
        """Every file of both areas, with its size (what a migration to a bucket copies)."""
        for _, folder, public in self._key_folders():
            yield from _files_of(folder, public)

    def usage(self) -> tuple[int, int]:
        """How many files both areas hold, and their bytes (read by the maintenance run)."""
        return folder_usage(self.root / _AREAS[True], self.root / _AREAS[False])

    def _key_folders(self) -> Iterator[tuple[str, Path, bool]]:
        """(key, folder, public) for each key folder of both areas; anything else is passed
        over (a fan-out folder that does not match its key, a stray name)."""
        for public in (True, False):
            for prefix in _subfolders(self.root / _AREAS[public]):
                for folder in _subfolders(prefix):
                    if KEY_PATTERN.fullmatch(folder.name) and prefix.name == folder.name[:2]:
                        yield folder.name, folder, public

    def _listed(self, key: str, folder: Path, public: bool) -> Iterator[tuple[str, float]]:
        if public or not self._folder(key, True).is_dir():  # both areas only mid-move: list once
            yield key, max(_newest(folder), _newest(self._folder(key, not public)))

    def _remove(self, key: str, *, public: bool) -> None:
        folder = self._folder(key, public)
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            return
        _remove_empty(folder.parent)


def _make_folders(root: Path, folder: Path) -> None:
    """Create ``folder`` under ``root``, each new level 0755 whatever the umask."""
    root.mkdir(parents=True, exist_ok=True)
    missing = [folder, *folder.parents]
    for path in reversed(missing[: missing.index(root)]):
        if not path.is_dir():
            path.mkdir(exist_ok=True)
            path.chmod(0o755)


def _write_atomically(path: Path, data: Content) -> Path:
    """Temp file in the same folder, fsync, rename: the name never points at a partial file."""
    if not isinstance(data, bytes | Path):
        raise TypeError(f"{path.name}: expected bytes or a path, got {type(data).__name__}")
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)
            if isinstance(data, bytes):
                out.write(data)
            else:
                with data.open("rb") as source:
                    shutil.copyfileobj(source, out, COPY_BLOCK)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def _merge(source: Path, target: Path) -> None:
    """Move files one by one into a folder that already holds some of them."""
    for path in sorted(source.iterdir()):
        path.replace(target / path.name)
    _sync(target)
    _remove_empty(source)


def _sync(folder: Path) -> None:
    """Make the renames in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_empty(*folders: Path) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # missing, or still has files: either is fine
            return


def _subfolders(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as entries:
            yield from (
                Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False)
            )
    except FileNotFoundError:
        return


def _files_of(folder: Path, public: bool) -> Iterator[tuple[Located, int]]:
    """A key folder's files, with their sizes; a write's temporary file is passed over."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                variant = variant_of(entry.name)
                if variant and entry.is_file(follow_symlinks=False):
                    size = entry.stat(follow_symlinks=False).st_size
                    yield Located(folder.name, variant, public), size
    except FileNotFoundError:  # moved or deleted while we walked
        return


def folder_usage(*folders: Path) -> tuple[int, int]:
    """Files and bytes under ``folders`` (symlinks not followed; none are ever made here)."""
    files = size = 0
    pending = list(folders)
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        files += 1
                        size += entry.stat(follow_symlinks=False).st_size
        except FileNotFoundError:  # not made yet, or removed while we walked
            continue
    return files, size


def _newest(folder: Path) -> float:
    try:
        return max((entry.stat().st_mtime for entry in folder.iterdir()), default=0.0)
    except FileNotFoundError:
        return 0.0
