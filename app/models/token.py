"""Single-use links sent by email: verify an address, reset a password, change an address."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.user import User


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"
    # Sent to a verified address when a change is asked for: it can take the account back
    # for its whole lifetime, whatever happens later (docs/security.md, "Links sent by email").
    CANCEL_EMAIL_CHANGE = "cancel_email_change"
    # Sent instead when the current address was never verified: it can only stop a change
    # that is still pending, since nobody proved that the address belongs to the account.
    STOP_EMAIL_CHANGE = "stop_email_change"


class ActionToken(Base):
    """The link carries 32 random bytes; only their SHA-256 digest is stored."""

    __tablename__ = "action_tokens"
    __table_args__ = (Index("ix_action_tokens_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(string_enum(TokenPurpose, 32))
    # The address the link was sent to; the link dies if the account's address moves on.
    email: Mapped[str] = mapped_column(String(254))
    # Its lookup key (identifiers.check_email): a live cancel link holds the address for
    # this account, so nobody else can sign up with it meanwhile.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
