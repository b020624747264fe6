"""Jobs the workers run on a schedule, one row each, so that several workers run them
once per interval between them, never twice at the same time; and what each
maintenance run did, for the admin overview."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.post import BigId


class ScheduledJob(Base):
    """Locked while the job runs (worker/scheduled_jobs.py)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]


class MaintenanceRun(Base):
    """One maintenance run (``flask maintenance run`` or the worker's): when, what it did,
    and the storage it measured. Kept for ``KEPT_DAYS``; the admin overview shows the last."""

    __tablename__ = "maintenance_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)
    # Media files (every stored size of every photo and avatar) and data-export archives.
    media_files: Mapped[int] = mapped_column(BigInteger)
    media_bytes: Mapped[int] = mapped_column(BigInteger)
    export_bytes: Mapped[int] = mapped_column(BigInteger)
