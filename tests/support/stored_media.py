"""What an app has stored, whichever backend holds its media (TEST_MEDIA_STORAGE).

Tests ask "what files are there now?" to prove that nothing half-written remains, that
no file kept its metadata, or that going private moved a key's files. These answers
come from the disk under MEDIA_ROOT or from the app's folder of the bucket, read
directly (not through the storage under test), so both backends face the same checks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from flask import Flask
from flask.testing import FlaskClient

from app.services.media.local_storage import LocalMediaStorage
from app.services.media.media_storage import media_storage
from app.services.media.s3_storage import S3MediaStorage

AREA_NAMES = {"media": "public", "private": "private"}


@dataclass(frozen=True, order=True)
class StoredFile:
    """One stored file: its area ("public", "private", or a work folder such as
    "incoming" under MEDIA_ROOT), its key (or folder) and its name."""

    area: str
    key: str
    name: str
    reader: Callable[[], bytes] = field(compare=False, repr=False)
    path: Path | None = field(default=None, compare=False, repr=False)  # on the local disk
    remover: Callable[[], object] | None = field(default=None, compare=False, repr=False)

    def read_bytes(self) -> bytes:
        return self.reader()

    def unlink(self) -> None:
        """Remove the file behind the app's back (a file lost from the storage)."""
        if self.path is not None:
            self.path.unlink()
        else:
            assert self.remover is not None
            self.remover()

    @contextmanager
    def as_path(self) -> Iterator[Path]:
        """The file on disk, for a tool that reads files (ffprobe): a copy, from a bucket."""
        if self.path is not None:
            yield self.path
            return
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / self.name
            copy.write_bytes(self.read_bytes())
            yield copy

    @property
    def suffix(self) -> str:
        return "." + self.name.rsplit(".", 1)[-1] if "." in self.name else ""

    def __str__(self) -> str:
        return f"/{self.area}/{self.key}/{self.name}"


def _storage(app: Flask) -> LocalMediaStorage | S3MediaStorage:
    with app.app_context():
        storage = media_storage()
    assert isinstance(storage, LocalMediaStorage | S3MediaStorage)
    return storage


def _disk_files(root: Path, *, areas: bool) -> list[StoredFile]:
    found = []
    for path in root.rglob("*") if root.exists() else []:
        if not path.is_file():
            continue
        parts = path.relative_to(root).parts
        if (parts[0] in ("public", "private")) != areas:
            continue
        folder = path.parent.name if areas else "/".join(parts[1:-1])
        found.append(StoredFile(parts[0], folder, path.name, path.read_bytes, path))
    return found


def _bucket_files(storage: S3MediaStorage) -> list[StoredFile]:
    found = []
    pages = storage.client.get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=storage.bucket, Prefix=storage.prefix):
        for entry in page.get("Contents", []):
            object_key = entry["Key"]
            parts = object_key.removeprefix(storage.prefix).split("/")
            if len(parts) != 3 or parts[0] not in AREA_NAMES:
                continue

            def reader(name: str = object_key) -> bytes:
                answer = storage.client.get_object(Bucket=storage.bucket, Key=name)
                return answer["Body"].read()

            def remover(name: str = object_key) -> object:
                return storage.client.delete_object(Bucket=storage.bucket, Key=name)

            area, key, file_name = AREA_NAMES[parts[0]], parts[1], parts[2]
            found.append(StoredFile(area, key, file_name, reader, None, remover))
    return found


def media_files(app: Flask) -> list[StoredFile]:
    """Every file of the public and private areas."""
    storage = _storage(app)
    if isinstance(storage, S3MediaStorage):
        return sorted(_bucket_files(storage))
    return sorted(_disk_files(storage.root, areas=True))


def stored_files(app: Flask) -> list[StoredFile]:
    """Every file the app has written: both areas, and its work folders under MEDIA_ROOT
    (incoming uploads, imports, exports), which stay on the host either way."""
    work = _disk_files(Path(app.config["MEDIA_ROOT"]), areas=False)
    return sorted(media_files(app) + work)


def keys_in(app: Flask, area: str) -> set[str]:
    """Every key with files in ``area`` ("public" or "private")."""
    return {file.key for file in media_files(app) if file.area == area}


def fetch_media(client: FlaskClient, url: str) -> tuple[int, str]:
    """The status and Cache-Control a browser ends with for a media URL of the site. On S3
    the app answers a public file with a redirect to the bucket, which the browser follows:
    so does this, outside the app."""
    with client.get(url) as response:
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.startswith(("http://", "https://")):
            answer = requests.get(location, timeout=30)
            return answer.status_code, answer.headers.get("Cache-Control", "")
        return response.status_code, response.headers.get("Cache-Control", "")
