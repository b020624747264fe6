"""Only-me posts: the count of posts others may see, shown to followers; the visibility
in the per-author posts index, for the feed.

Visibility is a string enum in a VARCHAR(16) with no check constraint, so the new
value "only_me" needs nothing here. Before this revision no post is only-me, so every
post an account has is one its followers may see.

Revision ID: 1796500100
Revises: 1796400140
Create Date: 2026-12-04 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796500100"
down_revision: str | Sequence[str] | None = "1796400140"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("shared_post_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(sa.text("UPDATE users SET shared_post_count = post_count"))
    # The feed reads each author's newest posts less others' only-me ones: index-only with
    # the visibility in the index.
    op.drop_index("ix_posts_author_id_id", table_name="posts")
    op.create_index(
        "ix_posts_author_id_id", "posts", ["author_id", "id"], postgresql_include=["visibility"]
    )


def downgrade() -> None:
    # Older code would show only-me posts to followers (or fail to read them): refuse rather
    # than choose for their authors.
    only_me = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM posts WHERE visibility = 'only_me'")
    )
    if only_me:
        raise RuntimeError(
            f"{only_me} only-me posts exist; older revisions cannot keep them to their authors."
        )
    op.drop_index("ix_posts_author_id_id", table_name="posts")
    op.create_index("ix_posts_author_id_id", "posts", ["author_id", "id"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("shared_post_count")
