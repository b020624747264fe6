"""Server-side login sessions and the browsers a user has signed in from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.device_label import DeviceLabel
from app.models.user import User


class UserSession(Base):
    """One login. The cookie holds a random id; only its SHA-256 digest is stored here."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_last_seen_at", "user_id", "last_seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The user's session_epoch when this session began; a rotated epoch ends it.
    epoch: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person last proved who they are (login or re-authentication): "sudo mode".
    authenticated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last proved it with a second factor (a code, a recovery code or a passkey);
    # a trusted browser's login or a password-only confirmation leaves it as it was.
    second_factor_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    device_label: Mapped[str] = mapped_column(DeviceLabel(), default="")

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class KnownDevice(Base):
    """A browser that has signed in to this account before (by a random cookie id, hashed)."""

    __tablename__ = "known_devices"
    __table_args__ = (
        Index("uq_known_devices_user_id_device_hash", "user_id", "device_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(DeviceLabel(), default="")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
