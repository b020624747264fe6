"""Who may join the instance: its settings, set at runtime, and the invites members hand out."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

# The limits of one invite link: how many accounts it may open, and for how long.
MAX_INVITE_USES = 100
MAX_INVITE_DAYS = 30


class RegistrationMode(enum.StrEnum):
    """Open: anyone signs up. Approval: anyone, then a moderator lets them in. Invite: only
    with an invite link. Closed: nobody, but with an invite a moderator or operator made."""

    OPEN = "open"
    APPROVAL = "approval"
    INVITE = "invite"
    CLOSED = "closed"


class InstanceSetting(Base):
    """An operator's choice that every worker reads at once (``flask instance ...``): a row
    here overrides the config's default; no row, the config's value holds."""

    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Invite(Base):
    """A link that opens the sign-up form, up to ``max_uses`` times until ``expires_at``.
    Only the SHA-256 of its token is stored, as for emailed links. ``creator_id`` is None
    for one an operator made with ``flask instance invite`` (or whose maker is gone)."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Made by a moderator or an operator: such invites still work on a closed instance.
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
