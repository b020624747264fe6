"""Who may join: instance settings set at runtime (the registration mode), invite links,
and a flag on accounts that wait for a moderator's approval.

Revision ID: 1796400120
Revises: 1796400110
Create Date: 2026-12-03 01:00:00
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "1796400120"
down_revision: str | Sequence[str] | None = "1796400110"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


@contextmanager
def _rebuilding_users() -> Iterator[None]:
    """SQLite's batch mode reflects ``users`` to rebuild it and cannot read its index on an
    expression (it warns), so that index is made again after."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Skipped unsupported reflection of expression-based index"
        )
        yield
        if op.get_context().dialect.name == "sqlite":
            op.execute(
                "CREATE INDEX IF NOT EXISTS ix_users_display_name_prefix"
                " ON users (lower(display_name))"
            )


def upgrade() -> None:
    op.create_table(
        "instance_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_instance_settings")),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("by_staff", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_invites_creator_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    op.create_index(op.f("ix_invites_creator_id"), "invites", ["creator_id"], unique=False)
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("awaiting_approval", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_users_awaiting_approval",
        "users",
        ["id"],
        unique=False,
        postgresql_where=sa.text("awaiting_approval"),
        sqlite_where=sa.text("awaiting_approval"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_awaiting_approval", table_name="users")
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        batch.drop_column("awaiting_approval")
    op.drop_index(op.f("ix_invites_creator_id"), table_name="invites")
    op.drop_table("invites")
    op.drop_table("instance_settings")
