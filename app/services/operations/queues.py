"""How much background work is waiting: unsent email, data exports not yet built, and
posts waiting for their videos.

Read from the database when asked (a metrics scrape, the internal readiness
probe), so every worker and every web process reports the same numbers. Each
queue is one query on an index: ``sent_at`` for the outbox, ``status`` for exports and
pending posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import DataExport, ExportStatus, OutboxMessage, PendingPost, PendingStatus, utcnow


@dataclass(frozen=True)
class Queue:
    waiting: int
    oldest_age_seconds: float  # 0 when nothing waits


@dataclass(frozen=True)
class Queues:
    outbox: Queue
    exports: Queue
    videos: Queue  # posts waiting for, or in, a transcode


def _queue(
    since: InstrumentedAttribute[datetime], waiting: ColumnElement[bool], now: datetime
) -> Queue:
    count, oldest = db.session.execute(select(func.count(), func.min(since)).where(waiting)).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Queue(waiting=int(count), oldest_age_seconds=age)


def queues(now: datetime | None = None) -> Queues:
    now = now or utcnow()
    return Queues(
        outbox=_queue(OutboxMessage.created_at, OutboxMessage.sent_at.is_(None), now),
        exports=_queue(DataExport.requested_at, DataExport.status == ExportStatus.PENDING, now),
        videos=_queue(
            PendingPost.created_at,
            PendingPost.status.in_((PendingStatus.WAITING, PendingStatus.PROCESSING)),
            now,
        ),
    )
