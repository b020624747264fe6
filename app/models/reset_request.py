"""A password reset asked for, waiting for the worker (services/accounts/password_resets.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow
from app.models.device_label import DeviceLabel


class PasswordResetRequest(Base):
    """Written for every address asked about, account or not, and deleted once handled."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # identifiers.canonical_email of what was typed: not known to be anyone's yet.
    email_key: Mapped[str] = mapped_column(String(254))
    # Who asked, for the reset email and the security timeline.
    ip: Mapped[str | None] = mapped_column(String(45))
    device_label: Mapped[str] = mapped_column(DeviceLabel())
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
