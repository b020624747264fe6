"""The contents of a data export, written as a ZIP stream to a file.

Nothing is held in memory whole, so an account of any size builds in the same
memory. Lists are read by keyset in chunks (``export_lists``); the caller may end
the read transaction after each chunk (the worker does: no snapshot, and on SQLite
no write lock, is kept while files are copied). Each list is written out as a
JSON array one row at a time.
Photos (and videos, with their poster frames) are copied from media storage in blocks.
What grows with the account is zipfile's central directory: a few hundred bytes per file.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import render_template

from app.models import MediaKind, User
from app.services.media.media_storage import Located, media_storage
from app.services.privacy import export_lists as lists
from app.services.privacy.export_lists import CHUNK

__all__ = ["CHUNK", "LISTS", "Summary", "photo_name", "video_name", "write"]

COPY_BLOCK = 1024 * 1024

# Every list in the archive, in the order the README describes them. posts.json is
# written first, apart: it needs to know which photo files were missing.
LISTS: dict[str, Callable[[lists.Reads, int], lists.Rows]] = {
    "comments.json": lists.comments,
    "likes.json": lists.likes,
    "saved.json": lists.saved,
    "followers.json": lists.followers,
    "following.json": lists.following,
    "follow_requests_sent.json": lists.requests_sent,
    "follow_requests_received.json": lists.requests_received,
    "blocked.json": lists.blocked,
    "muted.json": lists.muted,
    "notifications.json": lists.notifications,
    "security_events.json": lists.security_events,
    "sessions.json": lists.sessions,
    "apps.json": lists.apps,
    "devices.json": lists.devices,
    "trusted_browsers.json": lists.trusted_browsers,
    "passkeys.json": lists.passkeys,
    "second_factors.json": lists.second_factors,
    "reports.json": lists.reports,
    "moderation.json": lists.moderation,
    "imports.json": lists.imports,
}


@dataclass
class Summary:
    """What went into the archive, for its README."""

    photos: int = 0
    videos: int = 0
    missing_photos: set[int] = field(default_factory=set)  # photo ids whose file is gone
    missing_videos: set[int] = field(default_factory=set)  # ids of videos whose file is gone
    counts: dict[str, int] = field(default_factory=dict)


def write(
    user: User,
    path: Path,
    now: datetime,
    expires_at: datetime,
    *,
    end_read: Callable[[], None] = lambda: None,
) -> Summary:
    """Write ``user``'s archive to ``path``; the caller renames it into place.

    ``end_read`` runs after each page of rows is read, before the (slow) writing: the
    worker passes its session's rollback, so no snapshot or SQLite lock is held for
    minutes. Ending a transaction is the edge's call; by default every read stays in
    the caller's transaction.
    """
    reads = lists.Reads(end_read)
    summary = Summary()
    user_id = user.id
    profile = _profile(user)
    avatar_key = user.avatar_key
    end_read()
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        # Photos first: posts.json then knows which files were missing.
        _copy_photos(reads, archive, user_id, summary)
        profile["avatar"] = _copy_avatar(archive, avatar_key, now)
        _json_object(archive, "profile.json", profile, now)
        entries: dict[str, Iterable[dict[str, Any]]] = {
            "posts.json": _posts(reads, user_id, summary),
            **{name: read(reads, user_id) for name, read in LISTS.items()},
        }
        for name, rows in entries.items():
            summary.counts[name] = _json_array(archive, name, rows, now)
        readme = render_template(
            "exports/README.txt",
            user=profile,
            now=now,
            expires_at=expires_at,
            summary=summary,
            photo_name=photo_name,
            video_name=video_name,
        )
        _entry_text(archive, "README.txt", readme, now)
    return summary


def photo_name(post_id: int, position: int) -> str:
    return f"photos/{post_id}-{position + 1}.webp"


def video_name(post_id: int, position: int) -> str:
    """A video's file; ``photo_name`` is its poster frame."""
    return f"photos/{post_id}-{position + 1}.mp4"


def _profile(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "bio": user.bio,
        "website": user.website,
        "privacy": {
            "private_account": user.is_private,
            "hide_follow_lists": user.hide_follow_lists,
            "who_may_comment": str(user.comment_audience),
            "who_may_mention": str(user.mention_audience),
        },
        "preferences": {
            "remind_to_describe_photos": user.remind_alt_text,
            "always_show_sensitive_media": user.show_sensitive_media,
        },
        "created_at": lists.iso(user.created_at),
        "updated_at": lists.iso(user.updated_at),
        "email_verified_at": lists.iso(user.email_verified_at),
        "pending_email": user.pending_email,
        "username_changed_at": lists.iso(user.username_changed_at),
        "former_usernames": lists.username_holds(user.id),
        "last_login_at": lists.iso(user.last_login_at),
        "moderator": user.is_admin,
        "deletion_requested_at": lists.iso(user.deletion_requested_at),
        "deletion_reason": user.deletion_reason,
        "blocked": (
            {
                "until": lists.iso(user.blocked_till),
                "permanently": user.blocked_permanently,
                "reason": user.block_reason,
            }
            if user.blocked_till or user.blocked_permanently
            else None
        ),
    }


def _posts(reads: lists.Reads, user_id: int, summary: Summary) -> Iterator[dict[str, Any]]:
    missing = summary.missing_photos
    for chunk in reads.post_chunks(user_id):
        photos: dict[int, list[dict[str, Any]]] = {}
        for photo in reads.photos_of([post.id for post in chunk]):
            file = None if photo.id in missing else photo_name(photo.post_id, photo.position)
            entry = {
                "file": file,
                "alt_text": photo.alt_text,
                "width": photo.width,
                "height": photo.height,
            }
            if photo.kind == MediaKind.VIDEO:
                gone = photo.id in summary.missing_videos
                entry["kind"] = "video"  # "file" is its poster frame
                entry["video"] = None if gone else video_name(photo.post_id, photo.position)
                entry["duration_ms"] = photo.duration_ms
            photos.setdefault(photo.post_id, []).append(entry)
        for post in chunk:
            yield {
                "id": post.id,
                "created_at": lists.iso(post.created_at),
                "edited_at": lists.iso(post.edited_at),
                "caption": post.caption,
                "visibility": str(post.visibility),
                "comments_enabled": post.comments_enabled,
                "sensitive": post.sensitive,
                "content_warning": post.content_warning,
                "photos": photos.get(post.id, []),
            }


# Writing, an entry at a time.


def _info(name: str, now: datetime, compression: int, size: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    if size is not None:
        info.file_size = size
    return info


def _json_array(
    archive: zipfile.ZipFile, name: str, rows: Iterable[dict[str, Any]], now: datetime
) -> int:
    """A JSON array written a row at a time, one row per line."""
    count = 0
    info = _info(name, now, zipfile.ZIP_DEFLATED)
    with archive.open(info, "w", force_zip64=True) as out:
        out.write(b"[")
        for row in rows:
            out.write(b",\n  " if count else b"\n  ")
            out.write(json.dumps(row, ensure_ascii=False).encode())
            count += 1
        out.write(b"\n]\n" if count else b"]\n")
    return count


def _json_object(archive: zipfile.ZipFile, name: str, value: Any, now: datetime) -> None:
    _entry_text(archive, name, json.dumps(value, ensure_ascii=False, indent=2) + "\n", now)


def _entry_text(archive: zipfile.ZipFile, name: str, text: str, now: datetime) -> None:
    with archive.open(_info(name, now, zipfile.ZIP_DEFLATED), "w") as out:
        out.write(text.encode())


def _copy_stored(
    archive: zipfile.ZipFile, name: str, located: Located | None, when: datetime
) -> bool:
    """Copy a stored file as it is (not compressed again), a block at a time from the disk
    or the bucket, so memory stays flat; False if the file is gone."""
    if located is None:
        return False
    try:
        with (
            media_storage().open(located) as (source, size),
            archive.open(_info(name, when, zipfile.ZIP_STORED, size), "w") as out,
        ):
            shutil.copyfileobj(source, out, COPY_BLOCK)
    except FileNotFoundError:  # removed since it was located
        return False
    return True


def _copy_photos(
    reads: lists.Reads, archive: zipfile.ZipFile, user_id: int, summary: Summary
) -> None:
    """Each photo in its display size, and each video in its larger rendition beside its
    poster frame: the stored files, already free of metadata."""
    storage = media_storage()
    for chunk in reads.post_chunks(user_id):
        for photo in reads.photos_of([post.id for post in chunk]):
            located = storage.locate(photo.storage_key, "display")
            name = photo_name(photo.post_id, photo.position)
            if _copy_stored(archive, name, located, photo.created_at):
                summary.photos += 1
            else:
                summary.missing_photos.add(photo.id)
            if photo.kind != MediaKind.VIDEO:
                continue
            located = storage.locate(photo.storage_key, "video")
            name = video_name(photo.post_id, photo.position)
            if _copy_stored(archive, name, located, photo.created_at):
                summary.videos += 1
            else:
                summary.missing_videos.add(photo.id)


def _copy_avatar(archive: zipfile.ZipFile, key: str | None, now: datetime) -> str | None:
    located = media_storage().locate(key, "avatar") if key else None
    return "avatar.webp" if _copy_stored(archive, "avatar.webp", located, now) else None
