"""Jobs the workers run on a schedule, one row each, so that several workers run them
once per interval between them, never twice at the same time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ScheduledJob(Base):
    """Locked while the job runs (worker/scheduled_jobs.py)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
