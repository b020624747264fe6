"""What both media storages share: keys, variants, the two areas and the interface.

``local_storage`` and ``s3_storage`` implement ``MediaStorage``; ``media_storage`` picks one.

Either way a key's files sit in one of two areas. The public one holds the files of
posts and avatars anyone may see, served without the app (nginx, or the bucket through
``MEDIA_PUBLIC_URL``) under ``/media/<key>/<variant>.<ext>``. The private one is never
reachable without the app: it checks who may see a file, then hands it over
(``send``). Making a photo private moves its files, so a URL someone kept stops working.

Keys are 128 random bits, so a public URL cannot be guessed; a variant is one of a known
list, so neither ever holds "..", "/" or "%2f".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from werkzeug.wrappers import Response

from app.services.media.images import AVATAR_VARIANTS, PHOTO_VARIANTS
from app.services.media.videos import VIDEO_VARIANTS

# Each variant's file name suffix; known names only, so never "..", "/" or "%2f".
SUFFIXES = {
    **dict.fromkeys((*PHOTO_VARIANTS, *AVATAR_VARIANTS), ".webp"),
    **dict.fromkeys(VIDEO_VARIANTS, ".mp4"),
}
VARIANTS = frozenset(SUFFIXES)
COPY_BLOCK = 1024 * 1024
# What the browser may keep: a public file never changes under its key (a new upload gets a
# new key), so it is kept for a year; a shared cache (a CDN) is held to an hour, so a photo
# made private stops being served from one soon after (docs/operations.md).
PUBLIC_CACHE = "public, max-age=31536000, s-maxage=3600, immutable"
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")


def new_key() -> str:
    """128 random bits as hex: unguessable, and safe in a file name and a URL."""
    return secrets.token_hex(16)


def checked_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError("A media key is 32 lowercase hex characters.")
    return key


def checked_variant(variant: str) -> str:
    if variant not in VARIANTS:  # known names only, so never "..", "/" or "%2f"
        raise ValueError(f"Unknown media variant {variant!r}.")
    return variant


def file_name(variant: str) -> str:
    """The stored file's name: ``display.webp``, ``video.mp4``."""
    return checked_variant(variant) + SUFFIXES[variant]


def variant_of(name: str) -> str | None:
    """The variant a stored file's name is (``display.webp`` is ``display``), or None for a
    name no save writes (a temporary file, something an operator put there)."""
    variant = name.split(".", 1)[0]
    return variant if variant in VARIANTS and name == file_name(variant) else None


def mimetype_of(variant: str) -> str:
    return "video/mp4" if SUFFIXES[checked_variant(variant)] == ".mp4" else "image/webp"


@dataclass(frozen=True)
class Located:
    """A stored file that was found: its key and variant, and which area holds it."""

    key: str
    variant: str
    public: bool


# A variant's content: the bytes, or a file to copy (a video rendition, too large to hold).
Content = bytes | Path


class MediaStorageError(Exception):
    """The storage did not answer (the bucket is down or refuses us): try again later."""


class MediaStorage(Protocol):
    def save(self, key: str, variants: Mapping[str, Content], *, public: bool) -> None:
        """Store every variant, or none: a failure removes what this call wrote. A key lives
        in one area only, so a save into one removes the key's files from the other."""

    def delete(self, key: str) -> None:
        """Remove every file of the key, from both areas; a key never stored is fine."""

    def set_public(self, key: str, public: bool) -> None:
        """Move one key's files into the area (``move`` of one key)."""

    def move(self, keys: Iterable[str], *, public: bool) -> list[str]:
        """Move each key's files into the area, never leaving a file in neither (a crash
        leaves it in both, and the next move finishes); returns the keys that moved."""

    def locate(self, key: str, variant: str) -> Located | None:
        """Which area holds the file, or None when neither does."""

    def open(self, located: Located) -> AbstractContextManager[tuple[IO[bytes], int]]:
        """The file's bytes as a stream, and its size; FileNotFoundError if it went since
        it was located."""

    def send(self, located: Located, *, cache_control: str) -> Response:
        """The response that hands the file to someone already allowed to see it."""

    def stored_keys(self) -> Iterator[tuple[str, float]]:
        """Every stored key once, with its newest file time, for a sweep of orphaned files."""

    def usage(self) -> tuple[int, int]:
        """How many files both areas hold, and their bytes (read by the maintenance run)."""

    def check(self) -> None:
        """Raise if files cannot be written now (the readiness probe)."""


def read(storage: MediaStorage, key: str, variant: str) -> bytes | None:
    """A stored file's bytes, or None when it is not stored (small files only: a photo's
    size, never a video)."""
    located = storage.locate(key, variant)
    if located is None:
        return None
    try:
        with storage.open(located) as (stream, _):
            return stream.read()
    except FileNotFoundError:  # removed since it was located
        return None
