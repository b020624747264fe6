"""An account's life after sign-up: exports, deletion, and what moderators do.

``DeletedUser`` is all that remains of a purged account: an opaque id, dates
and the reason. ``ModerationAction`` is the log of every moderator decision.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow
from app.models.post import BigId, Visibility


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


class ImportSource(enum.StrEnum):
    INSTAGRAM = "instagram"  # Instagram's "Download your information", JSON format
    SAPLING = "sapling"  # a Sapling data export, from this instance or another


class ImportStatus(enum.StrEnum):
    PENDING = "pending"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


class DataImport(Base):
    """An uploaded archive the worker turns into posts, one committed post at a time.

    ``posts_done`` moves in the same commit as each post it counts, so an import
    interrupted by a crash resumes after the last post it finished. The archive is
    deleted when the import ends; the counts and the report of what was skipped stay.
    """

    __tablename__ = "data_imports"
    __table_args__ = (
        Index("ix_data_imports_user_id_id", "user_id", "id"),
        Index("ix_data_imports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[ImportSource] = mapped_column(string_enum(ImportSource, 16))
    status: Mapped[ImportStatus] = mapped_column(
        string_enum(ImportStatus, 16), default=ImportStatus.PENDING
    )
    # Who sees the imported posts, chosen before the import starts.
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility, 16))
    # Random, so the archive's path says nothing about whose it is; None once deleted.
    file_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # Moved with every post imported: a claim this old belongs to a worker that died.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    posts_total: Mapped[int] = mapped_column(Integer, default=0)
    posts_done: Mapped[int] = mapped_column(Integer, default=0)
    posts_imported: Mapped[int] = mapped_column(Integer, default=0)
    photos_imported: Mapped[int] = mapped_column(Integer, default=0)
    # What was left out and why: [{"what": ..., "reason": ...}], at most REPORT_LIMIT.
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    # Why the whole archive was refused, in words the person reads.
    error: Mapped[str] = mapped_column(String(300), default="")


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
