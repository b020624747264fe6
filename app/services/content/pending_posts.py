"""Posts with videos: checked in the request, transcoded by the worker, then posted.

A video takes minutes to transcode, so the request never does it (``videos``). It does
what is quick: every item is sorted by its own first bytes (a video's ``ftyp`` or EBML
header, anything else goes to the photo pipeline), each video is copied to
``MEDIA_ROOT/incoming/<random>/`` and probed (its size, codec, dimensions, frame rate and
length), and each photo is decoded once to be sure it can be used. A refusal names the
item and keeps nothing, on disk or in the database. What passes waits as a
``PendingPost``, and the author watches its page until the post is made.

The worker then, each step committed by it, these functions only flushing:

1. ``claim_next`` takes the oldest waiting post (or one whose worker died: ``STALE_AFTER``,
   at most ``MAX_ATTEMPTS`` times, so a file that kills ffmpeg's host cannot loop);
2. ``process`` transcodes each video in a private workspace, runs its poster frame and
   each photo through the photo pipeline, and makes the post (``posts.publish``), with
   its notifications and fan-out, as if it had just been shared. A video that fails only
   after probing (a truncated upload) fails the whole post, with the reason, and nothing
   is posted.

The incoming files go once the outcome commits. A failed post's row stays for a day so
its page can say why (``purge_finished``); a finished one's too, so a late look at its
page still finds the post.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import delete, or_, select

from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import PendingPost, PendingStatus, PhotoShape, User, Visibility, utcnow
from app.services.content import posts
from app.services.errors import FormError
from app.services.media import images, videos

# A claim this old lost its worker (a transcode's own deadline is far shorter).
STALE_AFTER = timedelta(minutes=30)
MAX_ATTEMPTS = 3
KEEP_FINISHED = timedelta(days=1)
COPY_BLOCK = 1024 * 1024
HEAD = 16  # bytes enough to tell a video's container

NO_VIDEOS = "This server does not take videos yet. Share photos, or ask its operator."
UPLOAD_GONE = "The upload is gone. Please share it again."
FAILED_UNEXPECTEDLY = "Something went wrong while preparing your video. Please try again."


def folder() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "incoming"


def limits() -> videos.VideoLimits:
    config = current_app.config
    return videos.VideoLimits(
        max_bytes=int(config["VIDEO_MAX_BYTES"]), max_seconds=float(config["VIDEO_MAX_SECONDS"])
    )


def accepted_video_limits() -> tuple[int, int] | None:
    """(bytes, seconds) where this server takes videos (ffmpeg is installed), else None."""
    config = current_app.config
    if not videos.available():
        return None
    return int(config["VIDEO_MAX_BYTES"]), int(config["VIDEO_MAX_SECONDS"])


def is_video(stream: IO[bytes]) -> bool:
    """Whether an upload says it is a video, by its first bytes (the name and the type the
    browser sent are the uploader's to choose)."""
    head = stream.read(HEAD)
    stream.seek(0)
    return videos.demuxer_for(head) is not None


def start(
    author: User,
    uploads: Sequence[posts.Upload],
    caption: str,
    *,
    visibility: Visibility,
    comments_enabled: bool,
    shape: PhotoShape,
    sensitive: bool,
    content_warning: str,
) -> PendingPost:
    """Check every item and keep the upload for the worker (flushed); a FormError names
    each refused item, and nothing is kept."""
    posts.check_count(len(uploads))
    caption, alts = posts.check_text(caption, [upload.alt_text for upload in uploads])
    sensitive, content_warning = posts.check_warning(sensitive, content_warning)
    if not videos.available():
        raise FormError(NO_VIDEOS, "photos")
    incoming = _new_folder()
    try:
        items = _keep_all(incoming, uploads, shape)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    after_rollback(lambda: shutil.rmtree(incoming, ignore_errors=True))
    for item, alt in zip(items, alts, strict=True):
        item["alt"] = alt
    pending = PendingPost(
        author_id=author.id,
        status=PendingStatus.WAITING,
        folder=incoming.name,
        draft={
            "caption": caption,
            "visibility": visibility.value,
            "comments_enabled": comments_enabled,
            "shape": shape.value,
            "sensitive": sensitive,
            "content_warning": content_warning,
            "items": items,
            "attempts": 0,
        },
    )
    db.session.add(pending)
    db.session.flush()
    return pending


def _new_folder() -> Path:
    root = folder()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    path = root / secrets.token_hex(16)
    path.mkdir(mode=0o700)
    return path


def _keep_all(
    incoming: Path, uploads: Sequence[posts.Upload], shape: PhotoShape
) -> list[dict[str, Any]]:
    """Each upload copied into ``incoming`` and checked; a refusal names every bad one."""
    items, refused, kinds = [], {}, set()
    for position, upload in enumerate(uploads):
        kind = "video" if is_video(upload.stream) else "photo"
        kinds.add(kind)
        target = incoming / f"{position}.{kind}"
        try:
            if kind == "video":
                _copy(upload.stream, target, limits().max_bytes)
                videos.probe(target, limits())
            else:
                data = upload.stream.read()  # bounded by the request's body limit
                posts.processed_photo(io.BytesIO(data), shape)
                target.write_bytes(data)
        except FormError as error:
            refused[position] = error.message
        items.append({"kind": kind, "file": target.name})
    if refused:
        noun = "Video" if kinds == {"video"} else "Item" if len(kinds) > 1 else "Photo"
        named = posts.photos_named(refused, noun)
        raise FormError(f"{named} can't be used: see below.", "photos", refused)
    return items


def _copy(stream: IO[bytes], target: Path, limit: int) -> None:
    written = 0
    with target.open("xb") as out:
        while block := stream.read(COPY_BLOCK):
            written += len(block)
            if written > limit:
                raise videos.VideoRejected(f"Videos can be up to {videos.size_label(limit)}.")
            out.write(block)


def of_author(author: User, pending_id: int) -> PendingPost | None:
    """The author's own pending post; anyone else's is None, as if it did not exist."""
    pending = db.session.get(PendingPost, pending_id)
    return pending if pending is not None and pending.author_id == author.id else None


def claim_next(now: datetime) -> int | None:
    """Take the oldest waiting post, or one whose worker stopped beating; flushed. The
    caller commits the claim before the long work begins. A post claimed MAX_ATTEMPTS
    times without an outcome fails instead."""
    stale = (PendingPost.status == PendingStatus.PROCESSING) & (
        PendingPost.heartbeat_at <= now - STALE_AFTER
    )
    while True:
        pending = db.session.scalar(
            select(PendingPost)
            .where(or_(PendingPost.status == PendingStatus.WAITING, stale))
            .order_by(PendingPost.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if pending is None:
            return None
        attempts = int(pending.draft.get("attempts", 0))
        if attempts >= MAX_ATTEMPTS:
            _fail(pending, FAILED_UNEXPECTEDLY, now)
            continue
        pending.draft = {**pending.draft, "attempts": attempts + 1}  # a new dict: JSON sees it
        pending.status = PendingStatus.PROCESSING
        pending.started_at = pending.started_at or now
        pending.heartbeat_at = now
        db.session.flush()
        return pending.id


def process(pending_id: int, work_root: Path | None = None) -> PendingStatus | None:
    """Transcode, then post (flushed; the caller commits): DONE, FAILED with the reason,
    or None if it is gone (the account was purged meanwhile)."""
    pending = db.session.get(PendingPost, pending_id)
    author = db.session.get(User, pending.author_id) if pending is not None else None
    if pending is None or author is None:
        return None
    if pending.folder is None:
        return _fail(pending, UPLOAD_GONE, utcnow())
    draft = pending.draft
    incoming = folder() / pending.folder
    with videos.workspace(work_root or folder() / ".work") as work:
        try:
            media = _prepared(incoming, draft, work)
            post = posts.publish(
                author,
                media,
                draft["caption"],
                visibility=Visibility(draft["visibility"]),
                comments_enabled=bool(draft["comments_enabled"]),
                sensitive=bool(draft["sensitive"]),
                content_warning=draft["content_warning"],
            )
        except FormError as error:
            return _fail(pending, error.message, utcnow())
        pending.status = PendingStatus.DONE
        pending.post_id = post.id
        pending.finished_at = utcnow()
        _remove_after_commit(pending)
        db.session.flush()  # while the workspace's renditions are still there to copy
    return PendingStatus.DONE


def _prepared(incoming: Path, draft: dict[str, Any], work: Path) -> list[posts.Media]:
    media = []
    shape = PhotoShape(draft["shape"])
    items = draft["items"]
    for position, item in enumerate(items):
        source = incoming / item["file"]
        if not source.is_file():
            raise FormError(UPLOAD_GONE, "photos")
        try:
            if item["kind"] != "video":
                media.append(
                    posts.Media(
                        posts.processed_photo(io.BytesIO(source.read_bytes()), shape), item["alt"]
                    )
                )
                continue
            media.append(prepared_video(source, work / str(position), item["alt"]))
        except FormError as error:
            noun = "Video" if item["kind"] == "video" else "Photo"
            label = f"{noun} {position + 1}: " if len(items) > 1 else ""
            raise FormError(label + error.message, "photos") from None
    return media


def prepared_video(source: Path, work: Path, alt: str) -> posts.Media:
    """A video's renditions (in ``work``, a new folder) and its poster frame through the
    photo pipeline (never cut square: the video is shown whole, and its poster must match
    it). Raises VideoRejected with the reason. The worker's alone: it takes minutes."""
    work.mkdir()
    done = videos.transcode(source, limits(), work)
    poster = images.process_photo(
        io.BytesIO(done.poster_png), max_pixels=current_app.config["IMAGE_MAX_PIXELS"]
    )
    files = {videos.STORED_AS[rendition.name]: rendition.path for rendition in done.renditions}
    duration = min(rendition.duration for rendition in done.renditions)
    return posts.Media(poster, alt, videos=files, duration_ms=round(duration * 1000))


def _fail(pending: PendingPost, message: str, now: datetime) -> PendingStatus:
    pending.status = PendingStatus.FAILED
    pending.error = message[:300]
    pending.finished_at = now
    _remove_after_commit(pending)
    db.session.flush()
    return PendingStatus.FAILED


def fail_unexpectedly(pending_id: int) -> None:
    """The worker's last word on a post whose processing raised (logged by the caller)."""
    pending = db.session.get(PendingPost, pending_id)
    if pending is not None and pending.status == PendingStatus.PROCESSING:
        _fail(pending, FAILED_UNEXPECTEDLY, utcnow())


def _remove_after_commit(pending: PendingPost) -> None:
    if pending.folder is not None:
        path = folder() / pending.folder
        pending.folder = None
        after_commit(lambda: shutil.rmtree(path, ignore_errors=True))


def purge_finished(now: datetime) -> int:
    """Forget finished pending posts a day on, and remove incoming folders no pending post
    names (a crash between the copy and the commit) once they are an hour old."""
    gone = db.session.execute(
        delete(PendingPost).where(
            PendingPost.status.in_((PendingStatus.DONE, PendingStatus.FAILED)),
            PendingPost.finished_at <= now - KEEP_FINISHED,
        )
    )
    db.session.flush()
    return int(getattr(gone, "rowcount", 0) or 0) + _remove_stray_folders(now)


def _remove_stray_folders(now: datetime) -> int:
    """Incoming folders an hour old that no pending post names, and workspaces a day old
    (a worker killed mid-transcode leaves its own behind)."""
    root = folder()
    old = _folders_before(root, now - timedelta(hours=1))
    known = set(db.session.scalars(select(PendingPost.folder).where(PendingPost.folder.in_(old))))
    strays = [root / name for name in old if name not in known]
    strays += [
        root / ".work" / name for name in _folders_before(root / ".work", now - KEEP_FINISHED)
    ]
    for path in strays:
        shutil.rmtree(path, ignore_errors=True)
    return len(strays)


def _folders_before(root: Path, cutoff: datetime) -> list[str]:
    try:
        with os.scandir(root) as entries:
            return [
                entry.name
                for entry in entries
                if entry.is_dir(follow_symlinks=False)
                and not entry.name.startswith(".")
                and entry.name != "api"  # apps' uploads (services/api/media.py) keep their own
                and entry.stat().st_mtime < cutoff.timestamp()
            ]
    except FileNotFoundError:
        return []
