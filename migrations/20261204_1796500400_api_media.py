"""Photos apps upload before they post them (``POST /api/v2/media``), kept a day at most.

Revision ID: 1796500400
Revises: 1796500300
Create Date: 2026-12-04 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796500400"
down_revision: str | Sequence[str] | None = "1796500300"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_media",
        sa.Column("id", BigId, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("placeholder", sa.String(length=400), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_media_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_media")),
        sa.UniqueConstraint("folder", name=op.f("uq_api_media_folder")),
    )
    op.create_index("ix_api_media_created_at", "api_media", ["created_at"])
    op.create_index(op.f("ix_api_media_user_id"), "api_media", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_media_user_id"), table_name="api_media")
    op.drop_index("ix_api_media_created_at", table_name="api_media")
    op.drop_table("api_media")
