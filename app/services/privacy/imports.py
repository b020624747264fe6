"""Imports: an Instagram archive or a Sapling export, uploaded and turned into posts.

The upload (``start``) is checked at once for what can be told from the ZIP's
directory alone (``archives.SafeArchive``: zip bombs, names that climb out, symbolic
links, oversized members) and for its kind (Instagram or Sapling); a refusal keeps
nothing. The worker (worker/imports.import_next) then does the rest, each step
committed by it, these functions only flushing:

1. ``claim_next`` takes a waiting import (or one whose worker died: ``STALE_AFTER``);
2. ``prepare`` reads every post out of the archive and checks that every photo it names
   says it is a photo; malformed JSON or a file that only pretends to be a photo refuses
   the whole archive, before a single post is made;
3. ``import_one`` makes one post through the upload pipeline (``posts.create``: every
   photo decoded, stripped of its metadata and re-encoded), and counts it in the same
   commit, so a crash resumes after the last post finished and never makes one twice;
4. ``finish`` records the end and emails the report; the archive is deleted.

Archives wait in ``MEDIA_ROOT/imports/`` under random names, outside both media areas,
never served to anyone.
"""

from __future__ import annotations

import io
import logging
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO

from flask import current_app
from sqlalchemy import or_, select

from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import (
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_CONTENT_WARNING,
    DataImport,
    ImportSource,
    ImportStatus,
    User,
    Visibility,
    utcnow,
)
from app.services.content import pending_posts, posts
from app.services.errors import FormError
from app.services.media import images, videos
from app.services.operations import mailer
from app.services.privacy import instagram_archive, sapling_archive
from app.services.privacy.archives import ArchivePost, ArchiveRefused, SafeArchive, Skipped
from app.services.privacy.stray_files import PART, remove_strays

log = logging.getLogger(__name__)

IN_PROGRESS = (ImportStatus.PENDING, ImportStatus.IMPORTING)
# An import "importing" whose heartbeat is this old lost its worker; another takes it up.
STALE_AFTER = timedelta(minutes=10)
# The report keeps this many of the things skipped (the count says how many in all).
REPORT_LIMIT = 500
COPY_BLOCK = 1024 * 1024


def folder() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "imports"


def path_of(data_import: DataImport) -> Path | None:
    return folder() / data_import.file_name if data_import.file_name else None


def latest(user: User) -> DataImport | None:
    query = select(DataImport).where(DataImport.user_id == user.id)
    return db.session.scalar(query.order_by(DataImport.id.desc()).limit(1))


def _make_folder() -> Path:
    path = folder()
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _save(stream: IO[bytes], limit: int) -> Path:
    """The upload copied to the imports folder under a random name; refused past ``limit``."""
    target = _make_folder() / f"{secrets.token_hex(16)}.zip"
    partial = target.with_name(target.name + PART)
    written = 0
    try:
        with partial.open("xb") as out:
            while block := stream.read(COPY_BLOCK):
                written += len(block)
                if written > limit:
                    raise ArchiveRefused(
                        f"This archive is larger than {limit / 2**30:g} GB, the most Sapling "
                        "imports at once.",
                        "archive",
                    )
                out.write(block)
        if not written:
            raise ArchiveRefused("The file is empty. Choose the ZIP archive to import.", "archive")
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def source_of(archive: SafeArchive) -> ImportSource:
    """Which kind of archive this is, or a refusal that says what was expected."""
    if sapling_archive.root_of(archive) is not None:
        return ImportSource.SAPLING
    try:
        instagram_archive.posts_files(archive)
    except ArchiveRefused:
        raise ArchiveRefused(
            "This is neither an Instagram archive nor a Sapling export. From Instagram, ask "
            'for "Download your information" in JSON format, and upload the ZIP it sends.',
            "archive",
        ) from None
    return ImportSource.INSTAGRAM


def _under_way(user: User) -> bool:
    query = select(DataImport.id).where(
        DataImport.user_id == user.id, DataImport.status.in_(IN_PROGRESS)
    )
    return db.session.scalar(query.limit(1)) is not None


UNDER_WAY = "An import is already under way. Wait for it to finish before starting another."


def start(user: User, stream: IO[bytes], visibility: Visibility) -> DataImport:
    """Keep an uploaded archive and queue its import (flushed); refused with the reason.

    One import at a time per account. The archive is copied and checked before the
    account's row is locked (the copy of a large archive takes seconds, and the lock is
    held to the commit); the lock then serialises two uploads sent at once, and the
    second one's file goes. The file goes too if the request's transaction rolls back.
    """
    if _under_way(user):
        raise FormError(UNDER_WAY)
    path = _save(stream, int(current_app.config["IMPORT_MAX_BYTES"]))
    try:
        with SafeArchive(path) as archive:
            source = source_of(archive)
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        if _under_way(user):
            raise FormError(UNDER_WAY)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    after_rollback(lambda: path.unlink(missing_ok=True))
    data_import = DataImport(
        user_id=user.id,
        source=source,
        visibility=visibility,
        file_name=path.name,
        size_bytes=path.stat().st_size,
        status=ImportStatus.PENDING,
        skipped=[],
    )
    db.session.add(data_import)
    db.session.flush()
    return data_import


def claim_next(now: datetime) -> int | None:
    """Take the oldest waiting import, or one whose worker stopped beating; flushed.

    SKIP LOCKED passes over an import another worker is claiming (PostgreSQL; SQLite
    serialises writers). The caller commits the claim before the long work begins.
    """
    stale = (DataImport.status == ImportStatus.IMPORTING) & (
        DataImport.heartbeat_at <= now - STALE_AFTER
    )
    data_import = db.session.scalar(
        select(DataImport)
        .where(or_(DataImport.status == ImportStatus.PENDING, stale))
        .order_by(DataImport.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if data_import is None:
        return None
    data_import.status = ImportStatus.IMPORTING
    data_import.started_at = data_import.started_at or now
    data_import.heartbeat_at = now
    db.session.flush()
    return data_import.id


@dataclass
class Plan:
    """The archive opened and its posts read: what ``import_one`` works through."""

    archive: SafeArchive
    posts: list[ArchivePost]


@contextmanager
def prepare(import_id: int) -> Iterator[Plan | None]:
    """The import's archive, open, with every post read and every photo's kind checked;
    None if the import is gone (the account was purged). Raises ArchiveRefused (with
    nothing imported) for malformed JSON, or a file that is not the photo it is named.
    Sets the total (flushed)."""
    data_import = db.session.get(DataImport, import_id)
    path = path_of(data_import) if data_import is not None else None
    if data_import is None or path is None:
        yield None
        return
    if not path.is_file():
        raise ArchiveRefused("The uploaded archive is gone. Please upload it again.", "archive")
    with SafeArchive(path) as archive:
        reader = (
            sapling_archive.read_posts
            if data_import.source == ImportSource.SAPLING
            else instagram_archive.read_posts
        )
        found = list(reader(archive))
        _check_photos(archive, found)
        data_import.posts_total = len(found)
        db.session.flush()
        yield Plan(archive, found)


def is_video_name(name: str) -> bool:
    """A member the archive names as a video (Instagram's .mp4, a Sapling export's)."""
    return PurePosixPath(name).suffix.lower() in instagram_archive.VIDEO_SUFFIXES


def _check_photos(archive: SafeArchive, found: list[ArchivePost]) -> None:
    """Every photo named in the archive says it is one: a file named ``.jpg`` that is not
    an image at all is a forged archive, refused whole. (A video is probed on its turn:
    what is not one is skipped with the reason.)"""
    limit = int(current_app.config["MAX_PHOTO_BYTES"])
    for post in found:
        for name in post.photos:
            if is_video_name(name) or archive.members[name].file_size > limit:
                continue  # a video, or too large to import: reported on its turn
            if not images.looks_like_photo(archive.read(name, limit)):
                raise ArchiveRefused(
                    f"{PurePosixPath(name).name} in this archive is named as a photo but is "
                    "not one. Nothing was imported.",
                    "archive",
                )


Beat = Callable[[], None]


def import_one(import_id: int, plan: Plan, beat: Beat = lambda: None) -> bool:
    """Import the next post of the plan, and count it (flushed together). False when the
    import is gone or has nothing left. ``beat`` runs before each video's transcode (the
    worker commits a heartbeat there, so minutes of ffmpeg do not look like a dead claim)."""
    data_import = db.session.get(DataImport, import_id)
    if data_import is None or data_import.posts_done >= len(plan.posts):
        return False
    user = db.session.get(User, data_import.user_id)
    if user is None:
        return False
    found = plan.posts[data_import.posts_done]
    skipped = list(found.skipped)
    made = _make_post(user, plan.archive, found, data_import.visibility, skipped, beat=beat)
    data_import = db.session.get(DataImport, import_id)  # (a beat may have committed)
    if data_import is None:
        return False
    data_import.posts_done += 1
    data_import.heartbeat_at = utcnow()
    if made:
        data_import.posts_imported += 1
        data_import.photos_imported += made
    _report(data_import, skipped)
    db.session.flush()
    return True


def heartbeat(import_id: int) -> None:
    """Say the import's worker is alive (flushed)."""
    data_import = db.session.get(DataImport, import_id)
    if data_import is not None:
        data_import.heartbeat_at = utcnow()
        db.session.flush()


def _make_post(
    user: User,
    archive: SafeArchive,
    found: ArchivePost,
    visibility: Visibility,
    skipped: list[Skipped],
    *,
    beat: Beat,
) -> int:
    """The post made through the upload pipeline; the number of its photos and videos
    (0: none made). An item the pipeline refuses is left out, with its reason, and the
    post is made of the others; the caption is cut to Sapling's length."""
    label = f"post of {found.created_at:%d %b %Y}"
    caption = found.caption
    if len(caption) > MAX_CAPTION:
        caption = caption[: MAX_CAPTION - 1] + "…"
        skipped.append(Skipped(label, f"its caption was cut to {MAX_CAPTION:,} characters"))
    with videos.workspace(pending_posts.folder() / ".work") as work:
        media = []
        for position, name in enumerate(found.photos):
            alt = found.alt_texts[position] if position < len(found.alt_texts) else ""
            try:
                media.append(_media(archive, name, alt[:MAX_ALT_TEXT], work / str(position), beat))
            except FormError as error:
                skipped.append(Skipped(PurePosixPath(name).name, error.message))
        if not media:
            if found.photos:
                skipped.append(Skipped(label, "none of its photos could be used"))
            return 0
        try:
            posts.publish(
                user,
                media,
                caption,
                visibility=visibility,
                comments_enabled=found.comments_enabled,
                sensitive=found.sensitive,
                content_warning=found.content_warning[:MAX_CONTENT_WARNING],
                created_at=found.created_at,
                announce=False,
            )
        except FormError as error:  # about the post, not an item: the post is skipped
            skipped.append(Skipped(label, error.message))
            return 0
    return len(media)


def _media(archive: SafeArchive, name: str, alt: str, work: Path, beat: Beat) -> posts.Media:
    """One item of an archived post, through the photo or the video pipeline."""
    config = current_app.config
    video = is_video_name(name)
    limit = int(config["VIDEO_MAX_BYTES"] if video else config["MAX_PHOTO_BYTES"])
    if archive.members[name].file_size > limit:
        raise FormError(f"it is larger than {limit / 2**20:g} MB")
    if not video:
        return posts.Media(posts.processed_photo(io.BytesIO(archive.read(name, limit))), alt)
    if not videos.available():
        raise FormError("videos cannot be imported on this server yet")
    beat()
    work.mkdir()
    source = work / "upload"
    with archive.open(name) as member, source.open("xb") as out:
        shutil.copyfileobj(member, out, COPY_BLOCK)
    return pending_posts.prepared_video(source, work / "out", alt)


def _report(data_import: DataImport, skipped: list[Skipped]) -> None:
    if not skipped:
        return
    room = max(0, REPORT_LIMIT - len(data_import.skipped))
    entries = [{"what": item.what, "reason": item.reason} for item in skipped[:room]]
    # A new list, so the JSON column sees the change.
    data_import.skipped = [*data_import.skipped, *entries]
    data_import.skipped_count += len(skipped)


def finish(import_id: int, *, error: str = "") -> ImportStatus | None:
    """Record the end (flushed): DONE, or FAILED with the reason. The owner is emailed
    the report, and the archive is deleted once this commits. None if the import is gone."""
    data_import = db.session.get(DataImport, import_id)
    user = db.session.get(User, data_import.user_id) if data_import is not None else None
    if data_import is None or user is None:
        return None
    data_import.status = ImportStatus.FAILED if error else ImportStatus.DONE
    data_import.error = error[:300]
    data_import.finished_at = utcnow()
    path = path_of(data_import)
    data_import.file_name = None
    if path is not None:
        after_commit(lambda: path.unlink(missing_ok=True))
    mailer.queue(
        user.email,
        "import_finished",
        "Your import into Sapling is done" if not error else "Your import into Sapling stopped",
        user=user,
        data_import=data_import,
        page_url=mailer.link("imports.index"),
    )
    db.session.flush()
    return data_import.status


def purge_strays(now: datetime) -> int:
    """Delete archives no import names (an account purged mid-import, a crash between
    saving and the commit) once they are an hour old; returns how many went."""
    return remove_strays(folder(), DataImport.file_name, now, timedelta(hours=1))
