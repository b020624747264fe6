"""Where media files live: one interface, two backends, chosen by ``MEDIA_STORAGE``.

``local`` (local_storage.py) keeps files under ``MEDIA_ROOT`` on this host's disk; ``s3``
(s3_storage.py) keeps them in an S3-compatible bucket, so several app hosts can share them.
Both implement ``storage_base.MediaStorage``; nothing outside these modules knows which one
is in use, or that S3 exists.
"""

from __future__ import annotations

from flask import Flask, current_app

from app.services.media.local_storage import LocalMediaStorage
from app.services.media.s3_storage import S3MediaStorage
from app.services.media.storage_base import (
    PUBLIC_CACHE,
    Located,
    MediaStorage,
    MediaStorageError,
    new_key,
    read,
)

__all__ = [
    "PUBLIC_CACHE",
    "Located",
    "MediaStorage",
    "MediaStorageError",
    "install_media_storage",
    "media_storage",
    "new_key",
    "read",
]


def build_storage(app: Flask) -> MediaStorage:
    """The backend ``MEDIA_STORAGE`` names, for ``app``."""
    if app.config.get("MEDIA_STORAGE") == "s3":
        return S3MediaStorage.from_config(app.config)
    return LocalMediaStorage(
        app.config["MEDIA_ROOT"], x_accel=app.config.get("MEDIA_X_ACCEL", False)
    )


def install_media_storage(app: Flask) -> None:
    """Build the app's storage once, and say where public files come from: on S3 with no
    ``MEDIA_PUBLIC_URL``, straight from the bucket."""
    storage = build_storage(app)
    app.extensions["media_storage"] = storage
    if isinstance(storage, S3MediaStorage) and not app.config["MEDIA_PUBLIC_URL"]:
        app.config["MEDIA_PUBLIC_URL"] = storage.public_url


def media_storage() -> MediaStorage:
    """The app's storage (install_media_storage built it; a bare app gets one now)."""
    storage: MediaStorage | None = current_app.extensions.get("media_storage")
    if storage is None:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        storage = current_app.extensions.setdefault("media_storage", build_storage(app))
    return storage
