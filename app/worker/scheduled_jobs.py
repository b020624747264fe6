"""Periodic jobs shared by several workers: each runs about once per interval between
them all, and never in two workers at the same time.

A job's ``scheduled_jobs`` row is locked (``SELECT … FOR UPDATE SKIP LOCKED``) on a
connection of its own for as long as the job runs, while the job works in the session
and commits as often as it likes. Another worker passes over the locked row instead of
waiting, and if the worker dies the lock goes with its connection, so the job is due
again at once. ``last_started_at`` says when it is due. On SQLite (a single writer) no
lock can be held beside the session's own writes: the claim is committed at once and
the timestamp alone keeps a second worker from running the job within the interval.

It lives at the worker's edge because it commits (on its own connection): a claim is
only a claim once the other workers can see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import ScheduledJob, utcnow

# A run is due this fraction of the interval early, so that a timer or cron firing at
# exactly the interval never finds the previous run a moment too recent.
EARLY = 0.05


def is_due(last_started_at: datetime | None, every: timedelta, now: datetime) -> bool:
    return last_started_at is None or last_started_at <= now - every * (1 - EARLY)


@dataclass
class Claim:
    """The right to run one job now. Use it as a context manager around the job: the run
    is recorded when the job ends, with ``last_finished_at`` only if it succeeded."""

    name: str
    started_at: datetime
    connection: Connection

    def __enter__(self) -> Claim:
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.finish(succeeded=error is None)
        except Exception:
            if error is None:
                raise
            # The job's own error (the database going away, say) is the one to report.

    def finish(self, *, succeeded: bool) -> None:
        values = {"last_started_at": self.started_at}
        if succeeded:
            values["last_finished_at"] = utcnow()
        try:
            self.connection.execute(
                update(ScheduledJob).where(ScheduledJob.name == self.name).values(values)
            )
            self.connection.commit()
        finally:
            self.connection.close()


def claim(name: str, every: timedelta, now: datetime | None = None) -> Claim | None:
    """Claim the job ``name`` if it is due and no other worker is running it, else None."""
    now = now or utcnow()
    connection = db.engine.connect()
    try:
        _insert_if_missing(connection, name)
        connection.commit()  # before the lock: a claim must never wait on another one
        last_started_at = connection.execute(
            select(ScheduledJob.last_started_at)
            .where(ScheduledJob.name == name)
            .with_for_update(skip_locked=True)
        ).one_or_none()
        if last_started_at is None or not is_due(last_started_at[0], every, now):
            connection.close()  # rolls back, releasing the row
            return None
        if connection.dialect.name != "postgresql":
            connection.execute(
                update(ScheduledJob).where(ScheduledJob.name == name).values(last_started_at=now)
            )
            connection.commit()
    except BaseException:
        connection.close()
        raise
    return Claim(name, now, connection)


def _insert_if_missing(connection: Connection, name: str) -> None:
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(ScheduledJob).values(name=name).on_conflict_do_nothing())
