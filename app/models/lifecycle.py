"""An account's life after sign-up: exports, deletion, and what moderators do.

``DeletedUser`` is all that remains of a purged account: an opaque id, dates
and the reason. ``ModerationAction`` is the log of every moderator decision.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow
from app.models.post import BigId


def opaque_id() -> str:
    return secrets.token_hex(16)


class DeletionReason(enum.StrEnum):
    SELF_DELETED = "self_deleted"
    REMOVED_BY_MODERATOR = "removed_by_moderator"


class DeletedUser(Base):
    __tablename__ = "deleted_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=opaque_id)
    account_created_at: Mapped[datetime]
    deletion_requested_at: Mapped[datetime]
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[DeletionReason] = mapped_column(string_enum(DeletionReason, 32))


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class DataExport(Base):
    """A ZIP of everything an account holds, built by the worker, downloadable for 7 days."""

    __tablename__ = "data_exports"
    __table_args__ = (
        Index("ix_data_exports_user_id_id", "user_id", "id"),
        Index("ix_data_exports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[ExportStatus] = mapped_column(
        string_enum(ExportStatus, 16), default=ExportStatus.PENDING
    )
    # Random, so the archive's path says nothing about whose it is.
    file_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str] = mapped_column(String(200), default="")


class ModerationKind(enum.StrEnum):
    DISMISS_REPORT = "dismiss_report"
    REMOVE_POST = "remove_post"
    REMOVE_COMMENT = "remove_comment"
    BLOCK_USER = "block_user"
    UNBLOCK_USER = "unblock_user"
    DELETE_ACCOUNT = "delete_account"
    APPROVE_SIGNUP = "approve_signup"
    REJECT_SIGNUP = "reject_signup"


class ModerationAction(Base):
    """Who decided what, when and why. Kept when the people involved are gone."""

    __tablename__ = "moderation_actions"
    __table_args__ = (Index("ix_moderation_actions_target_user_id", "target_user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ModerationKind] = mapped_column(string_enum(ModerationKind, 32))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
