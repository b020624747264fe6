"""The instance at a glance, for the admin overview: accounts, who may join, content,
storage, the work waiting, and the last maintenance run.

Counts are read when the page is asked for (a handful of aggregate queries; the page is
for moderators only). Storage is not: walking every media file takes as long as the
orphan sweep, so each maintenance run measures it (``record_run``) and the page shows
that measurement with its time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import (
    MaintenanceRun,
    Photo,
    Post,
    RegistrationMode,
    Report,
    ReportStatus,
    User,
    utcnow,
)
from app.services.accounts import registrations
from app.services.media.local_storage import folder_usage
from app.services.media.media_storage import media_storage
from app.services.moderation import signups
from app.services.operations.queues import Queues, queues
from app.services.privacy import exports

KEPT_DAYS = 30  # maintenance runs kept for the record


@dataclass(frozen=True)
class Accounts:
    total: int
    active: int
    awaiting_deletion: int
    blocked: int
    unverified: int
    awaiting_approval: int


@dataclass(frozen=True)
class Overview:
    accounts: Accounts
    posts: int
    photos: int
    open_reports: int
    queues: Queues
    last_run: MaintenanceRun | None
    registration_mode: RegistrationMode
    member_invites: bool


def record_run(started_at: datetime, summary: str) -> MaintenanceRun:
    """What a maintenance run did, with the storage measured now; runs older than
    KEPT_DAYS go."""
    media_files, media_bytes = media_storage().usage()
    _, export_bytes = folder_usage(exports.folder())
    now = utcnow()
    db.session.execute(
        delete(MaintenanceRun).where(MaintenanceRun.started_at < now - timedelta(days=KEPT_DAYS))
    )
    run = MaintenanceRun(
        started_at=started_at,
        finished_at=now,
        summary=summary,
        media_files=media_files,
        media_bytes=media_bytes,
        export_bytes=export_bytes,
    )
    db.session.add(run)
    db.session.flush()
    return run


def overview(now: datetime | None = None) -> Overview:
    now = now or utcnow()
    total, active, deleting, blocked, unverified = db.session.execute(
        select(
            func.count(),
            func.count().filter(User.active_at(now)),
            func.count().filter(User.deletion_requested_at.is_not(None)),
            func.count().filter(User.deletion_requested_at.is_(None), User.is_blocked_at(now)),
            func.count().filter(User.email_verified_at.is_(None)),
        )
    ).one()
    last_run = db.session.scalar(
        select(MaintenanceRun).order_by(MaintenanceRun.started_at.desc()).limit(1)
    )
    return Overview(
        accounts=Accounts(total, active, deleting, blocked, unverified, signups.waiting_count()),
        posts=db.session.scalar(select(func.count()).select_from(Post)) or 0,
        photos=db.session.scalar(select(func.count()).select_from(Photo)) or 0,
        open_reports=db.session.scalar(
            select(func.count()).where(Report.status == ReportStatus.OPEN)
        )
        or 0,
        queues=queues(now),
        last_run=last_run,
        registration_mode=registrations.mode(),
        member_invites=registrations.member_invites(),
    )
