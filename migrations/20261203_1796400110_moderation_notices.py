"""The moderators' notices: a notification with no actor (moderators are not named to
the person), the reason they gave and the start of what they removed.

Revision ID: 1796400110
Revises: 1796400100
Create Date: 2026-12-03 00:30:00
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "1796400110"
down_revision: str | Sequence[str] | None = "1796400100"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    """SQLite's batch mode reflects ``users`` through the foreign keys, and cannot read its
    index on an expression (it warns); that index is not touched here."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Skipped unsupported reflection of expression-based index"
        )
        yield


def upgrade() -> None:
    op.add_column(
        "notifications",
        sa.Column("reason", sa.String(length=500), nullable=False, server_default=""),
    )
    op.add_column(
        "notifications",
        sa.Column("excerpt", sa.String(length=120), nullable=False, server_default=""),
    )
    with _quiet_reflection(), op.batch_alter_table("notifications") as batch:
        batch.alter_column("actor_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE actor_id IS NULL")
    with _quiet_reflection(), op.batch_alter_table("notifications") as batch:
        batch.alter_column("actor_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("excerpt")
        batch.drop_column("reason")
