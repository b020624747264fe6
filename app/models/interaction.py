"""What people do with posts: likes, comments, saved posts and reports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.post import BigId
from app.models.user import User

# A comment's body is Text, so its limit is checked in Python only; a report's details
# are bounded by their column too.
MAX_COMMENT = 1000
MAX_REPORT_DETAILS = 1000


class Like(Base):
    """One like per person and post: the primary key makes a second one impossible."""

    __tablename__ = "likes"
    __table_args__ = (
        # Who liked a post, newest first by keyset (created_at, user_id); also the post's
        # likes for its deletion's cascade.
        Index("ix_likes_post_id_created_at_user_id", "post_id", "created_at", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_id_id", "post_id", "id"),
        # An account's comments, by keyset: the data export and the purge.
        Index("ix_comments_author_id_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")


class SavedPost(Base):
    """A private bookmark; nobody else, the author included, can see it."""

    __tablename__ = "saved_posts"
    __table_args__ = (Index("ix_saved_posts_user_id_created_at", "user_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    NUDITY = "nudity"
    VIOLENCE = "violence"
    HATE = "hate"
    SELF_HARM = "self_harm"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    OTHER = "other"

    @property
    def label(self) -> str:
        """In the reporter's words: the report form offers these, the moderators read them."""
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ReportReason.SPAM: "Spam",
    ReportReason.HARASSMENT: "Bullying or harassment",
    ReportReason.NUDITY: "Nudity or sexual content",
    ReportReason.VIOLENCE: "Violence or dangerous acts",
    ReportReason.HATE: "Hate speech or symbols",
    ReportReason.SELF_HARM: "Suicide or self-harm",
    ReportReason.INTELLECTUAL_PROPERTY: "Intellectual property",
    ReportReason.OTHER: "Something else",
}


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class Report(Base):
    """A report of a post, a comment or an account, waiting for a moderator.

    The reported thing may be deleted before anyone looks; the report stays,
    with its foreign key set to null, so the queue keeps its history.
    """

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reported_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[ReportReason] = mapped_column(string_enum(ReportReason, 32))
    details: Mapped[str] = mapped_column(String(MAX_REPORT_DETAILS), default="")
    status: Mapped[ReportStatus] = mapped_column(
        string_enum(ReportStatus, 16), default=ReportStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
