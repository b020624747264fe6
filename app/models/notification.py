"""Notifications: someone liked, commented, followed, asked to follow, or mentioned you; or
the moderators removed your post or comment (with no actor: moderators act for the
instance, and are not named to the person)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.post import BigId, Post
from app.models.user import MAX_MODERATION_REASON, User


class NotificationKind(enum.StrEnum):
    LIKE = "like"
    COMMENT = "comment"
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    MENTION = "mention"
    POST_REMOVED = "post_removed"
    COMMENT_REMOVED = "comment_removed"


MODERATED = frozenset((NotificationKind.POST_REMOVED, NotificationKind.COMMENT_REMOVED))
MAX_EXCERPT = 120  # of a removed post's caption or comment, to say which it was


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
        # The unread badge counts only unread rows, which this partial index holds.
        Index(
            "ix_notifications_unread",
            "recipient_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        Index("ix_notifications_actor_id", "actor_id"),
        Index("ix_notifications_post_id", "post_id"),
        Index("ix_notifications_comment_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # None for the moderators' notices (``MODERATED``).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(string_enum(NotificationKind, 20))
    post_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="CASCADE")
    )
    # The moderators' notices: the reason they gave, and the start of what was removed
    # (the post or comment itself is gone). Server defaults, so older rows have "".
    reason: Mapped[str] = mapped_column(String(MAX_MODERATION_REASON), server_default=text("''"))
    excerpt: Mapped[str] = mapped_column(String(MAX_EXCERPT), server_default=text("''"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")
    post: Mapped[Post | None] = relationship(lazy="raise")
