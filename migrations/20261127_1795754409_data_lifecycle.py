"""Data lifecycle: account deletion and purge, moderator blocks, data exports, moderation log.

Revision ID: 1795754409
Revises: 1795750331
Create Date: 2026-11-27 04:40:09.478284
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "1795754409"
down_revision: str | Sequence[str] | None = "1795750331"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    """SQLite's batch mode reflects ``users`` (directly, or through a foreign key) and warns
    that it cannot reflect the index on ``lower(display_name)``; that is known and handled."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Skipped unsupported reflection of expression-based index"
        )
        yield


@contextmanager
def _rebuilding_users() -> Iterator[None]:
    """Rebuilding ``users`` on SQLite drops the expression index; it is made again after."""
    with _quiet_reflection():
        yield
    _restore_sqlite_expression_index()


def _restore_sqlite_expression_index() -> None:
    """SQLite's batch mode rebuilds ``users`` and cannot carry an index on an expression
    across (it cannot reflect one), so it is made again; PostgreSQL alters in place."""
    if op.get_context().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_users_display_name_prefix ON users (lower(display_name))"
        )


def upgrade() -> None:
    op.create_table(
        "deleted_users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "self_deleted",
                "removed_by_moderator",
                name="deletionreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_users")),
    )
    op.create_table(
        "data_exports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "building",
                "ready",
                "failed",
                name="exportstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_data_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(
        op.f("ix_data_exports_expires_at"), "data_exports", ["expires_at"], unique=False
    )
    op.create_index("ix_data_exports_status_id", "data_exports", ["status", "id"], unique=False)
    op.create_index("ix_data_exports_user_id_id", "data_exports", ["user_id", "id"], unique=False)
    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "dismiss_report",
                "remove_post",
                "remove_comment",
                "block_user",
                "unblock_user",
                "delete_account",
                name="moderationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["users.id"],
            name=op.f("fk_moderation_actions_moderator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_moderation_actions_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_user_id"],
            ["users.id"],
            name=op.f("fk_moderation_actions_target_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )
    op.create_index(
        op.f("ix_moderation_actions_moderator_id"),
        "moderation_actions",
        ["moderator_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_moderation_actions_report_id"), "moderation_actions", ["report_id"], unique=False
    )
    op.create_index(
        "ix_moderation_actions_target_user_id",
        "moderation_actions",
        ["target_user_id"],
        unique=False,
    )
    with _quiet_reflection(), op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_reports_resolved_by_id"), ["resolved_by_id"])
        batch.create_foreign_key(
            batch.f("fk_reports_resolved_by_id_users"),
            "users",
            ["resolved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deletion_requested_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("deletion_reason", sa.String(32)))
        batch.add_column(sa.Column("blocked_till", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column(
                "blocked_permanently", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("block_reason", sa.String(500), nullable=False, server_default="")
        )
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        # The empty default was only for existing rows; new rows get theirs from the app.
        batch.alter_column("block_reason", server_default=None)


def downgrade() -> None:
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        for column in (
            "block_reason",
            "blocked_permanently",
            "blocked_till",
            "deletion_reason",
            "deletion_requested_at",
        ):
            batch.drop_column(column)
    with _quiet_reflection(), op.batch_alter_table("reports") as batch:
        batch.drop_constraint(batch.f("fk_reports_resolved_by_id_users"), type_="foreignkey")
        batch.drop_index(batch.f("ix_reports_resolved_by_id"))
        batch.drop_column("resolved_by_id")
    op.drop_index("ix_moderation_actions_target_user_id", table_name="moderation_actions")
    op.drop_index(op.f("ix_moderation_actions_report_id"), table_name="moderation_actions")
    op.drop_index(op.f("ix_moderation_actions_moderator_id"), table_name="moderation_actions")
    op.drop_table("moderation_actions")
    op.drop_index("ix_data_exports_user_id_id", table_name="data_exports")
    op.drop_index("ix_data_exports_status_id", table_name="data_exports")
    op.drop_index(op.f("ix_data_exports_expires_at"), table_name="data_exports")
    op.drop_table("data_exports")
    op.drop_table("deleted_users")
