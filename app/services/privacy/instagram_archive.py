"""Reading the posts out of Instagram's "Download your information" archive (JSON format).

The layout, as Instagram has shipped it (the folder names moved over the years, so each
is accepted, under an optional top folder such as ``instagram-name-20241012/``)::

    content/posts_1.json                          (until 2023)
    your_instagram_activity/content/posts_1.json  (2024)
    your_instagram_activity/media/posts_1.json    (late 2024 on)
    media/posts/202401/17912345678901234.jpg      (the files, named by their uri)

Each ``posts_N.json`` is a list of posts. A post has ``media``: a list of items, each with
a ``uri`` (the file, relative to the archive's root), a ``creation_timestamp`` (Unix
seconds) and a ``title`` (the caption, on a post of one photo). A post of several has the
caption and time on the post itself (``title``, ``creation_timestamp``). Instagram writes
text as UTF-8 bytes each escaped as a Latin-1 character ("\\u00f0\\u009f\\u008c\\u00bf" for
🌿); ``repaired`` undoes that.

Only what Sapling can keep is taken: photos (JPEG, PNG, WebP, HEIC), up to MAX_PHOTOS per
post. Everything else is reported as skipped with the reason, never silently dropped.
The archive itself has passed ``archives.SafeArchive``; here no name in the JSON is
trusted either: a ``uri`` must name a member of the archive after the same cleaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from app.models import MAX_PHOTOS
from app.services.privacy.archives import (
    ArchivePost,
    ArchiveRefused,
    SafeArchive,
    Skipped,
    clean_name,
)

POSTS_FILE = re.compile(
    r"^(?P<root>(?:(?!your_instagram_activity/)[^/]+/)?)"
    r"(?:your_instagram_activity/)?(?:content|media)/posts_\d+\.json$"
)
PHOTO_SUFFIXES = frozenset((".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"))
VIDEO_SUFFIXES = frozenset((".mp4", ".mov", ".webm"))
MAX_JSON_BYTES = 64 * 1024 * 1024


def repaired(text: str) -> str:
    """Instagram's Latin-1-escaped UTF-8 made readable again; other text is left as it is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def posts_files(archive: SafeArchive) -> list[tuple[str, str]]:
    """(member, root) of every posts_N.json, in order; refused if there is none."""
    found = sorted(
        (name, match["root"])
        for name in archive.members
        if (match := POSTS_FILE.match(name)) is not None
    )
    if not found:
        raise ArchiveRefused(
            "This is not an Instagram archive with posts in it: posts_1.json is missing. "
            'Ask Instagram for "Download your information" in JSON format.',
            "archive",
        )
    return found


def read_posts(archive: SafeArchive) -> Iterator[ArchivePost]:
    """Every post, oldest first within each file, as Instagram lists them newest first."""
    for name, root in posts_files(archive):
        try:
            items = json.loads(archive.read(name, MAX_JSON_BYTES))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ArchiveRefused(
                f"{PurePosixPath(name).name} in this archive is not valid JSON.", "archive"
            ) from error
        if not isinstance(items, list):
            raise ArchiveRefused(f"{PurePosixPath(name).name} is not a list of posts.", "archive")
        for item in reversed(items):
            yield _post(archive, root, item)


def _post(archive: SafeArchive, root: str, item: Any) -> ArchivePost:
    media = item.get("media") if isinstance(item, dict) else None
    first = media[0] if isinstance(media, list) and media and isinstance(media[0], dict) else {}
    created = _when(item.get("creation_timestamp")) if isinstance(item, dict) else None
    created = created or _when(first.get("creation_timestamp")) or datetime.fromtimestamp(0, UTC)
    title = item.get("title") if isinstance(item, dict) else None
    if not isinstance(title, str) or not title:
        title = first.get("title")
    post = ArchivePost(
        caption=repaired(title) if isinstance(title, str) else "", created_at=created, photos=[]
    )
    label = f"post of {created:%d %b %Y}"
    if not isinstance(media, list) or not media:
        post.skipped.append(Skipped(label, "it has no photos or videos listed"))
        return post
    for entry in media:
        uri = entry.get("uri") if isinstance(entry, dict) else None
        reason = _unusable(archive, root, uri)
        if reason or not isinstance(uri, str):
            shown = PurePosixPath(uri).name if isinstance(uri, str) and uri else label
            post.skipped.append(Skipped(shown[:120], reason or "it names no file"))
        elif len(post.photos) == MAX_PHOTOS:
            post.skipped.append(
                Skipped(PurePosixPath(uri).name, f"a Sapling post holds {MAX_PHOTOS} photos")
            )
        else:
            post.photos.append(_member(root, uri))
    return post


def _member(root: str, uri: str) -> str:
    name = clean_name(uri) or ""
    return name if name.startswith(root) else root + name


def _unusable(archive: SafeArchive, root: str, uri: Any) -> str | None:
    """Why the file ``uri`` names cannot become a photo here, or None."""
    if not isinstance(uri, str) or not uri:
        return "it names no file"
    suffix = PurePosixPath(uri).suffix.lower()
    checks = (
        (uri.startswith(("http://", "https://")), "it is a link, not a file in the archive"),
        (clean_name(uri) is None, "its name points outside the archive"),
        (suffix not in PHOTO_SUFFIXES | VIDEO_SUFFIXES, "it is not a photo or a video"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    if _member(root, uri) not in archive.members:
        return "the file is not in the archive"
    return None
