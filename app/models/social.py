"""The social graph: follows, follow requests, blocks and mutes.

Each is a pair of user ids as the primary key, so a double submit or a race can
never create two rows; the reverse index serves the other direction's lists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


def _user_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Follow(Base):
    """An accepted follow: ``follower`` sees ``followee``'s followers-only posts."""

    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_followee_id_follower_id", "followee_id", "follower_id"),)

    follower_id: Mapped[int] = _user_fk()
    followee_id: Mapped[int] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowRequest(Base):
    """A request to follow a private account, waiting for its owner's answer."""

    __tablename__ = "follow_requests"
    __table_args__ = (Index("ix_follow_requests_target_id_created_at", "target_id", "created_at"),)

    requester_id: Mapped[int] = _user_fk()
    target_id: Mapped[int] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Block(Base):
    """Mutual invisibility between two accounts, whichever of them asked for it."""

    __tablename__ = "blocks"
    __table_args__ = (Index("ix_blocks_blocked_id", "blocked_id"),)

    blocker_id: Mapped[int] = _user_fk()
    blocked_id: Mapped[int] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mute(Base):
    """Hides an account from the muter's feed; the muted account is never told."""

    __tablename__ = "mutes"

    muter_id: Mapped[int] = _user_fk()
    muted_id: Mapped[int] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
