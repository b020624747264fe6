"""Hidden accounts' likes, comments and follows leave every counter while they are hidden.

Adds ``users.counts_withdrawn`` and takes the contributions of the accounts hidden today
(waiting for deletion, or blocked by a moderator now) out of the counters, set-based, so
the counts agree with the lists from the moment this is deployed. The downgrade puts them
back, as the code before it expects (it subtracted them at the purge).

Revision ID: 1796300100
Revises: 1796220300
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "1796300100"
down_revision: str | Sequence[str] | None = "1796220300"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(column) for column in columns))


users = _table("users", "id", "follower_count", "following_count", "counts_withdrawn")
posts = _table("posts", "id", "like_count", "comment_count")
follows = _table("follows", "follower_id", "followee_id")
likes = _table("likes", "user_id", "post_id")
comments = _table("comments", "author_id", "post_id")

# (counted table, its counter, the rows it counts, their key to it, their contributor)
COUNTERS = (
    (users, "follower_count", follows, "followee_id", "follower_id"),
    (users, "following_count", follows, "follower_id", "followee_id"),
    (posts, "like_count", likes, "post_id", "user_id"),
    (posts, "comment_count", comments, "post_id", "author_id"),
)


def _shift(sign: int) -> None:
    """Each counter moves by its withdrawn contributors' rows: one UPDATE per counter."""
    withdrawn = users.alias("withdrawn")
    for counted, counter, rows, key, contributor in COUNTERS:
        theirs = (
            sa.select(sa.func.count())
            .select_from(rows.join(withdrawn, withdrawn.c.id == rows.c[contributor]))
            .where(rows.c[key] == counted.c.id, withdrawn.c.counts_withdrawn)
            .scalar_subquery()
        )
        op.execute(
            counted.update().where(theirs > 0).values({counter: counted.c[counter] + sign * theirs})
        )


def upgrade() -> None:
    # A plain ALTER TABLE on SQLite too: a batch copy of users would drop the old table,
    # and with foreign keys on that cascades to every follow, like and post.
    op.add_column(
        "users",
        sa.Column("counts_withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    hidden = sa.text(
        "UPDATE users SET counts_withdrawn = :yes WHERE deletion_requested_at IS NOT NULL "
        "OR blocked_permanently OR (blocked_till IS NOT NULL AND blocked_till > :now)"
    ).bindparams(
        sa.bindparam("yes", True, type_=sa.Boolean()),
        sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True)),
    )
    op.execute(hidden)
    _shift(-1)
    op.create_index(
        "ix_users_counts_withdrawn",
        "users",
        ["id"],
        unique=False,
        postgresql_where=sa.text("counts_withdrawn"),
        sqlite_where=sa.text("counts_withdrawn"),
    )


def downgrade() -> None:
    op.drop_index("ix_users_counts_withdrawn", table_name="users")
    _shift(+1)
    op.drop_column("users", "counts_withdrawn")  # SQLite 3.35+ drops it in place
