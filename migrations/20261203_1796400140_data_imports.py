"""Imports: an uploaded Instagram or Sapling archive, turned into posts by the worker.

Revision ID: 1796400140
Revises: 1796400130
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796400140"
down_revision: str | Sequence[str] | None = "1796400130"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "data_imports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("instagram", "sapling", name="importsource", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "importing",
                "done",
                "failed",
                name="importstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum(
                "public", "followers", "only_me", name="visibility", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=80), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posts_total", sa.Integer(), nullable=False),
        sa.Column("posts_done", sa.Integer(), nullable=False),
        sa.Column("posts_imported", sa.Integer(), nullable=False),
        sa.Column("photos_imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_data_imports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_imports")),
    )
    op.create_index("ix_data_imports_status_id", "data_imports", ["status", "id"])
    op.create_index("ix_data_imports_user_id_id", "data_imports", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_data_imports_user_id_id", table_name="data_imports")
    op.drop_index("ix_data_imports_status_id", table_name="data_imports")
    op.drop_table("data_imports")
