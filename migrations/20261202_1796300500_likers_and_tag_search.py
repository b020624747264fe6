"""Who liked a post, newest first; hashtag search by prefix.

The likers list reads ``likes (post_id, created_at, user_id)``: it replaces the index on
``post_id`` alone, which it also serves. Hashtag names are compared byte by byte (the "C"
collation) on PostgreSQL, so the unique index on them serves ``LIKE 'prefix%'`` in the
index's order whatever the database's locale; SQLite compares bytes already.

Revision ID: 1796300500
Revises: 1796300400
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796300500"
down_revision: str | Sequence[str] | None = "1796300400"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_index(
        "ix_likes_post_id_created_at_user_id",
        "likes",
        ["post_id", "created_at", "user_id"],
        unique=False,
    )
    op.drop_index("ix_likes_post_id", table_name="likes")
    if _postgresql():
        # Rebuilds uq_hashtags_name with the column's new collation.
        op.alter_column(
            "hashtags",
            "name",
            type_=sa.String(length=100, collation="C"),
            existing_type=sa.String(length=100),
            existing_nullable=False,
        )


def downgrade() -> None:
    if _postgresql():
        op.alter_column(
            "hashtags",
            "name",
            type_=sa.String(length=100),
            existing_type=sa.String(length=100, collation="C"),
            existing_nullable=False,
        )
    op.create_index("ix_likes_post_id", "likes", ["post_id"], unique=False)
    op.drop_index("ix_likes_post_id_created_at_user_id", table_name="likes")
