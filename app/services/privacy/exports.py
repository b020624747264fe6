"""Data exports: asked for in the settings, built by the worker, downloadable for a week.

Archives live in ``MEDIA_ROOT/exports/`` under random names, outside both
media areas (so the orphan sweep, which walks only those, never sees them) and
never served without the owner's login. The worker (worker/exports.build_next)
commits each step: ``claim_next``, then ``build``, then ``record``; these only flush.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, or_, select, update

from app.extensions import db
from app.models import DataExport, ExportStatus, User, utcnow
from app.services.operations import mailer
from app.services.privacy import export_archive
from app.services.privacy.stray_files import PART, remove_strays

log = logging.getLogger(__name__)

IN_PROGRESS = (ExportStatus.PENDING, ExportStatus.BUILDING)
# A build still "building" after this was interrupted (the worker died); it ends as failed.
ABANDONED_AFTER = timedelta(days=1)
# Files no row names (a crash, or an account purged mid-build) go once they are this old.
STRAY_GRACE = timedelta(hours=1)


def folder() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "exports"


def path_of(export: DataExport) -> Path | None:
    return folder() / export.file_name if export.file_name else None


def latest(user: User) -> DataExport | None:
    """The newest export of ``user``, whatever its state (the settings page shows it)."""
    query = select(DataExport).where(DataExport.user_id == user.id)
    return db.session.scalar(query.order_by(DataExport.id.desc()).limit(1))


def owned(user: User, export_id: int) -> DataExport | None:
    export = db.session.get(DataExport, export_id)
    return export if export is not None and export.user_id == user.id else None


def is_expired(export: DataExport, now: datetime) -> bool:
    return export.expires_at is not None and export.expires_at <= now


def request_export(user: User, now: datetime | None = None) -> tuple[DataExport, bool]:
    """Ask for an export; one already waiting or building is returned instead (False)."""
    # The account's row lock serialises two requests sent at once (a double click).
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    waiting = db.session.scalar(
        select(DataExport)
        .where(DataExport.user_id == user.id, DataExport.status.in_(IN_PROGRESS))
        .order_by(DataExport.id.desc())
        .limit(1)
    )
    if waiting is not None:
        return waiting, False
    export = DataExport(user_id=user.id, status=ExportStatus.PENDING, requested_at=now or utcnow())
    db.session.add(export)
    db.session.flush()
    return export, True


@dataclass(frozen=True)
class Built:
    """What ``build`` made of an export: READY with its file, or FAILED with the reason."""

    status: ExportStatus
    target: Path | None = None
    error: str = ""


def claim_next(now: datetime) -> tuple[int, int, str] | None:
    """Take the oldest waiting export: (its id, its owner's id, its file name); flushed.

    Several workers never take the same one. On PostgreSQL, SKIP LOCKED passes over
    a row another worker is claiming at this moment, and once that claim commits the
    row is no longer pending; SQLite serialises writers (BEGIN IMMEDIATE), so there
    the clause is left out. The caller commits the claim before the long build.
    """
    export = db.session.scalar(
        select(DataExport)
        .where(DataExport.status == ExportStatus.PENDING)
        .order_by(DataExport.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if export is None:
        return None
    claimed = export.id, export.user_id, f"{secrets.token_hex(16)}.zip"
    export.status = ExportStatus.BUILDING
    export.started_at = now
    export.file_name = claimed[2]
    db.session.flush()
    return claimed


def build(
    export_id: int,
    user_id: int,
    file_name: str,
    *,
    end_read: Callable[[], None] = lambda: None,
) -> Built | None:
    """Write a claimed export's archive; None if the account (and with it the export) was
    purged meanwhile.

    The archive is written to ``<name>.part`` and renamed into place when complete,
    so a finished name never points at a partial file. A failure leaves no file.
    Missing photo files do not fail the build: the README says how many are absent.
    """
    target = folder() / file_name
    partial = target.with_name(file_name + PART)
    lifetime: timedelta = current_app.config["EXPORT_LIFETIME"]
    try:
        make_folder()
        user = db.session.get(User, user_id)
        if user is None:
            return None
        started = utcnow()
        export_archive.write(user, partial, started, started + lifetime, end_read=end_read)
        _move_into_place(partial, target)
    except Exception as error:
        log.exception("Data export %s failed", export_id)
        _discard(partial)
        return Built(ExportStatus.FAILED, error=f"{type(error).__name__}: {error}")
    except BaseException:  # interrupted: no partial file; the row is failed later as abandoned
        _discard(partial)
        raise
    return Built(ExportStatus.READY, target=target)


def _discard(path: Path) -> None:
    with suppress(FileNotFoundError, NotADirectoryError):
        path.unlink()


def _move_into_place(partial: Path, target: Path) -> None:
    """Readable by nginx (which sends it), on disk for good, then renamed in one step."""
    partial.chmod(0o644)
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    partial.replace(target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def record(export_id: int, built: Built) -> ExportStatus | None:
    """Record the outcome (flushed); a ready archive is announced to its owner by email.

    None if the export was purged while it was being built (its file is removed then).
    """
    export = db.session.get(DataExport, export_id)
    user = db.session.get(User, export.user_id) if export is not None else None
    target = built.target
    if export is None or user is None:  # purged while it was being built
        if target is not None:
            target.unlink(missing_ok=True)
        return None
    export.status = built.status
    export.error = built.error[:200]
    if target is not None:
        export.ready_at = utcnow()
        export.expires_at = export.ready_at + current_app.config["EXPORT_LIFETIME"]
        export.size_bytes = target.stat().st_size
        # One copy at a time: older ones expire now, and maintenance deletes them.
        db.session.execute(
            update(DataExport)
            .where(
                DataExport.user_id == export.user_id,
                DataExport.status == ExportStatus.READY,
                DataExport.id != export.id,
                DataExport.expires_at > export.ready_at,
            )
            .values(expires_at=export.ready_at)
        )
        mailer.queue(
            user.email,
            "export_ready",
            "Your Sapling data is ready to download",
            user=user,
            export=export,
            download_url=mailer.link("exports.download", export_id=export.id),
        )
    db.session.flush()
    return built.status


def make_folder() -> Path:
    """The exports folder: nginx may open a file in it by name, but nobody may list it."""
    path = folder()
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o711)
    return path


def purge_expired(now: datetime) -> int:
    """Delete expired archives and their rows, and old failures; returns how many went.

    Builds interrupted long ago end as failed. Files that no row names any more are
    removed once they are old enough not to be a build in progress.
    """
    abandoned = select(DataExport).where(
        DataExport.status == ExportStatus.BUILDING, DataExport.started_at <= now - ABANDONED_AFTER
    )
    for export in db.session.scalars(abandoned):
        _unlink(export)
        export.status, export.error = ExportStatus.FAILED, "The build was interrupted."
    lifetime: timedelta = current_app.config["EXPORT_LIFETIME"]
    done = or_(
        DataExport.expires_at <= now,
        (DataExport.status == ExportStatus.FAILED) & (DataExport.requested_at <= now - lifetime),
    )
    gone = list(db.session.scalars(select(DataExport).where(done)))
    for export in gone:
        _unlink(export)
    if gone:
        db.session.execute(delete(DataExport).where(DataExport.id.in_([e.id for e in gone])))
    db.session.flush()
    return len(gone) + remove_strays(folder(), DataExport.file_name, now, STRAY_GRACE)


def _unlink(export: DataExport) -> None:
    path = path_of(export)
    if path is not None:
        path.unlink(missing_ok=True)
        path.with_name(path.name + PART).unlink(missing_ok=True)
