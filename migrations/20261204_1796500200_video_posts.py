"""Video posts: a photo row may be a video (its poster frame), and posts wait for their
videos in pending_posts while the worker transcodes them.

Revision ID: 1796500200
Revises: 1796500100
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796500200"
down_revision: str | Sequence[str] | None = "1796500100"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Constant defaults: a plain ADD COLUMN on both PostgreSQL and SQLite, no table rebuild
    # (which on SQLite would reflect posts and users, and warn about users' expression index).
    op.add_column(
        "photos",
        sa.Column(
            "kind",
            sa.Enum("photo", "video", name="mediakind", native_enum=False, length=16),
            nullable=False,
            server_default=sa.text("'photo'"),
        ),
    )
    op.add_column("photos", sa.Column("duration_ms", sa.Integer(), nullable=True))
    op.add_column(
        "photos", sa.Column("has_small", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "pending_posts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "processing",
                "done",
                "failed",
                name="pendingstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("folder", sa.String(length=40), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("post_id", BigId, nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_pending_posts_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_pending_posts_post_id_posts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_posts")),
    )
    op.create_index("ix_pending_posts_author_id_id", "pending_posts", ["author_id", "id"])
    op.create_index("ix_pending_posts_status_id", "pending_posts", ["status", "id"])
    op.create_index(op.f("ix_pending_posts_post_id"), "pending_posts", ["post_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_posts_post_id"), table_name="pending_posts")
    op.drop_index("ix_pending_posts_status_id", table_name="pending_posts")
    op.drop_index("ix_pending_posts_author_id_id", table_name="pending_posts")
    op.drop_table("pending_posts")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("has_small")
        batch.drop_column("duration_ms")
        batch.drop_column("kind")
