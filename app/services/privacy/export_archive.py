"""The contents of a data export, written as a ZIP stream to a file.

Nothing is held in memory whole, so an account of any size builds in the same
memory. Lists are read by keyset in chunks of ``CHUNK`` rows; the caller may end the
read transaction after each chunk (the worker does: no snapshot, and on SQLite
no write lock, is kept while files are copied). Each list is written out as a
JSON array one row at a time.
Photos are copied from media storage in blocks. What grows with the account is
zipfile's central directory: a few hundred bytes per photo.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

from flask import render_template
from sqlalchemy import Row, Select, case, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import Comment, Follow, Like, Photo, Post, SecurityEvent, User, Visibility
from app.models.security_event import shown_detail
from app.services.content import access
from app.services.media.media_storage import Located, media_storage

CHUNK = 500
COPY_BLOCK = 1024 * 1024


@dataclass
class Summary:
    """What went into the archive, for its README."""

    photos: int = 0
    missing_photos: set[int] = field(default_factory=set)  # photo ids whose file is gone
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
    reads = _Reads(end_read)
    summary = Summary()
    user_id = user.id
    profile = _profile(user)
    avatar_key = user.avatar_key
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        # Photos first: posts.json then knows which files were missing.
        _copy_photos(reads, archive, user_id, summary)
        profile["avatar"] = _copy_avatar(archive, avatar_key, now)
        _json_object(archive, "profile.json", profile, now)
        lists: dict[str, Iterable[dict[str, Any]]] = {
            "posts.json": _posts(reads, user_id, summary.missing_photos),
            "comments.json": _comments(reads, user_id),
            "likes.json": _likes(reads, user_id),
            "followers.json": _follows(reads, user_id, followers=True),
            "following.json": _follows(reads, user_id, followers=False),
            "security_events.json": _security_events(reads, user_id),
        }
        for name, rows in lists.items():
            summary.counts[name] = _json_array(archive, name, rows, now)
        readme = render_template(
            "exports/README.txt",
            user=profile,
            now=now,
            expires_at=expires_at,
            summary=summary,
            photo_name=photo_name,
        )
        _entry_text(archive, "README.txt", readme, now)
    return summary


def photo_name(post_id: int, position: int) -> str:
    return f"photos/{post_id}-{position + 1}.webp"


# Reading, a chunk at a time.


K = TypeVar("K")
Ts = TypeVarTuple("Ts")
PostRow = Row[int, datetime, datetime | None, str, Visibility, bool, bool, str]
PhotoRow = Row[int, int, int, str, str, int, int, datetime]


@dataclass(frozen=True)
class _Reads:
    """The archive's reads, each page followed by the caller's ``end_read``."""

    end_read: Callable[[], None]

    def chunks(
        self, query: Select[K, *Ts], key: InstrumentedAttribute[K]
    ) -> Iterator[Sequence[Row[K, *Ts]]]:
        """Keyset pages of ``query`` by ``key``, which must be its first column."""
        last = None
        while True:
            page = query if last is None else query.where(key > last)
            rows = db.session.execute(page.order_by(key).limit(CHUNK)).all()
            self.end_read()
            if rows:
                yield rows
            if len(rows) < CHUNK:
                return
            last = rows[-1][0]

    def rows(self, query: Select[K, *Ts], key: InstrumentedAttribute[K]) -> Iterator[Row[K, *Ts]]:
        for chunk in self.chunks(query, key):
            yield from chunk

    def post_chunks(self, user_id: int) -> Iterator[Sequence[PostRow]]:
        query = select(
            Post.id, Post.created_at, Post.edited_at, Post.caption, Post.visibility,
            Post.comments_enabled, Post.sensitive, Post.content_warning,
        ).where(Post.author_id == user_id)  # fmt: skip
        return self.chunks(query, Post.id)

    def photos_of(self, post_ids: list[int]) -> Sequence[PhotoRow]:
        query = select(
            Photo.post_id, Photo.id, Photo.position, Photo.storage_key, Photo.alt_text,
            Photo.width, Photo.height, Photo.created_at,
        ).where(Photo.post_id.in_(post_ids))  # fmt: skip
        rows = db.session.execute(query.order_by(Photo.post_id, Photo.position)).all()
        self.end_read()
        return rows


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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
        "created_at": _iso(user.created_at),
    }


def _posts(reads: _Reads, user_id: int, missing: set[int]) -> Iterator[dict[str, Any]]:
    for chunk in reads.post_chunks(user_id):
        photos: dict[int, list[dict[str, Any]]] = {}
        for photo in reads.photos_of([post.id for post in chunk]):
            file = None if photo.id in missing else photo_name(photo.post_id, photo.position)
            photos.setdefault(photo.post_id, []).append(
                {
                    "file": file,
                    "alt_text": photo.alt_text,
                    "width": photo.width,
                    "height": photo.height,
                }
            )
        for post in chunk:
            yield {
                "id": post.id,
                "created_at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "caption": post.caption,
                "visibility": str(post.visibility),
                "comments_enabled": post.comments_enabled,
                "sensitive": post.sensitive,
                "content_warning": post.content_warning,
                "photos": photos.get(post.id, []),
            }


def _comments(reads: _Reads, user_id: int) -> Iterator[dict[str, Any]]:
    """Your comments; the post's author is named only while you can still see the post."""
    author = case((access.visible_posts(user_id), User.username), else_=None).label("author")
    query = (
        select(Comment.id, Comment.created_at, Comment.body, Comment.post_id, author)
        .join(Post, Post.id == Comment.post_id)
        .join(User, User.id == Post.author_id)
        .where(Comment.author_id == user_id)
    )
    for row in reads.rows(query, Comment.id):
        yield {
            "id": row.id,
            "created_at": _iso(row.created_at),
            "text": row.body,
            "post_id": row.post_id,
            "post_author": row.author,
        }


def _likes(reads: _Reads, user_id: int) -> Iterator[dict[str, Any]]:
    query = select(Like.post_id, Like.created_at).where(Like.user_id == user_id)
    for row in reads.rows(query, Like.post_id):
        yield {"post_id": row.post_id, "created_at": _iso(row.created_at)}


def _follows(reads: _Reads, user_id: int, *, followers: bool) -> Iterator[dict[str, Any]]:
    other, mine = (
        (Follow.follower_id, Follow.followee_id)
        if followers
        else (Follow.followee_id, Follow.follower_id)
    )
    query = (
        select(other, User.username, Follow.created_at)
        .join(User, User.id == other)
        .where(mine == user_id)
    )
    for row in reads.rows(query, other):
        yield {"username": row.username, "since": _iso(row.created_at)}


def _security_events(reads: _Reads, user_id: int) -> Iterator[dict[str, Any]]:
    query = select(
        SecurityEvent.id, SecurityEvent.kind, SecurityEvent.created_at, SecurityEvent.ip,
        SecurityEvent.device_label, SecurityEvent.detail,
    ).where(SecurityEvent.user_id == user_id)  # fmt: skip
    for row in reads.rows(query, SecurityEvent.id):
        yield {
            "kind": str(row.kind),
            "created_at": _iso(row.created_at),
            "ip": row.ip,
            "device": row.device_label,
            "detail": shown_detail(row.kind, row.detail),
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
    """Copy a stored WebP as it is (not compressed again); False if the file is gone."""
    if located is None:
        return False
    try:
        source = located.path.open("rb")
    except FileNotFoundError:  # removed since it was located
        return False
    with source:
        size = os.fstat(source.fileno()).st_size
        with archive.open(_info(name, when, zipfile.ZIP_STORED, size), "w") as out:
            shutil.copyfileobj(source, out, COPY_BLOCK)
    return True


def _copy_photos(reads: _Reads, archive: zipfile.ZipFile, user_id: int, summary: Summary) -> None:
    """Each photo in its display size: the stored file, already free of metadata."""
    storage = media_storage()
    for chunk in reads.post_chunks(user_id):
        for photo in reads.photos_of([post.id for post in chunk]):
            located = storage.locate(photo.storage_key, "display")
            name = photo_name(photo.post_id, photo.position)
            if _copy_stored(archive, name, located, photo.created_at):
                summary.photos += 1
            else:
                summary.missing_photos.add(photo.id)


def _copy_avatar(archive: zipfile.ZipFile, key: str | None, now: datetime) -> str | None:
    located = media_storage().locate(key, "avatar") if key else None
    return "avatar.webp" if _copy_stored(archive, "avatar.webp", located, now) else None
