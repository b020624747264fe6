"""Reading the posts out of a Sapling data export (``export_archive``), to move in.

The layout is Sapling's own (docs/export.md): ``profile.json`` and ``posts.json`` at the
root, or under one top folder when the archive was unpacked and zipped again, and each
photo under ``photos/``. A post keeps its caption, date, photos in order with their
descriptions, its sensitive mark and reason, and whether comments were on. Who sees the
imported posts is chosen on the import page, like for an Instagram archive.

As with Instagram, the JSON is trusted for nothing: a photo's ``file`` must name a
member of the archive after the same cleaning, and whatever cannot be used is reported.
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

POSTS_FILE = re.compile(r"^(?P<root>(?:[^/]+/)?)posts\.json$")
MAX_JSON_BYTES = 64 * 1024 * 1024


def root_of(archive: SafeArchive) -> str | None:
    """The folder holding ``posts.json`` and ``profile.json``, or None: not a Sapling export."""
    for name in sorted(archive.members):
        match = POSTS_FILE.match(name)
        if match and f"{match['root']}profile.json" in archive.members:
            return match["root"]
    return None


def read_posts(archive: SafeArchive) -> Iterator[ArchivePost]:
    """Every post of the export, oldest first."""
    root = root_of(archive)
    if root is None:
        raise ArchiveRefused(
            "This is not a Sapling export: posts.json and profile.json are missing.", "archive"
        )
    try:
        items = json.loads(archive.read(root + "posts.json", MAX_JSON_BYTES))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ArchiveRefused("posts.json in this archive is not valid JSON.", "archive") from error
    if not isinstance(items, list):
        raise ArchiveRefused("posts.json is not a list of posts.", "archive")
    posts = [_post(archive, root, item) for item in items]
    yield from sorted(posts, key=lambda post: post.created_at)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _post(archive: SafeArchive, root: str, item: Any) -> ArchivePost:
    if not isinstance(item, dict):
        item = {}
    created = _when(item.get("created_at")) or datetime.fromtimestamp(0, UTC)
    post = ArchivePost(
        caption=_text(item, "caption"),
        created_at=created,
        photos=[],
        sensitive=item.get("sensitive") is True,
        content_warning=_text(item, "content_warning"),
        comments_enabled=item.get("comments_enabled") is not False,
    )
    label = f"post of {created:%d %b %Y}"
    photos = item.get("photos")
    if not isinstance(photos, list) or not photos:
        post.skipped.append(Skipped(label, "it has no photos listed"))
        return post
    for entry in photos:
        photo = entry if isinstance(entry, dict) else {}
        # A video's "file" is its poster frame: the video itself is imported, and its
        # poster made afresh from it.
        file = photo.get("video") if photo.get("kind") == "video" else photo.get("file")
        name = clean_name(root + file) if isinstance(file, str) and file else None
        if file is None or file == "":
            post.skipped.append(Skipped(label, "a photo's file was missing from the export"))
        elif name is None or not isinstance(file, str):
            post.skipped.append(Skipped(label, "a photo's name points outside the archive"))
        elif name not in archive.members:
            post.skipped.append(Skipped(PurePosixPath(file).name, "the file is not in the archive"))
        elif len(post.photos) == MAX_PHOTOS:
            shown = PurePosixPath(file).name
            post.skipped.append(Skipped(shown, f"a Sapling post holds {MAX_PHOTOS} photos"))
        else:
            post.photos.append(name)
            post.alt_texts.append(_text(photo, "alt_text"))
    return post
