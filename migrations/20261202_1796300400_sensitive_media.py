"""Sensitive media and alt-text reminders: a post's sensitive mark and reason, and two
preferences on the account (remind me to describe photos; always show sensitive media).

Revision ID: 1796300400
Revises: 1796300100
Create Date: 2026-12-02 20:50:00
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "1796300400"
down_revision: str | Sequence[str] | None = "1796300100"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


@contextmanager
def _rebuilding_users() -> Iterator[None]:
    """SQLite's batch mode reflects ``users`` (to rebuild it, or to follow a foreign key from
    ``posts``) and cannot read its index on an expression (it warns), so that index is made
    again after."""
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
    with _rebuilding_users(), op.batch_alter_table("posts") as batch:  # reflects users too
        batch.add_column(
            sa.Column("sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("content_warning", sa.String(length=100), nullable=False, server_default="")
        )
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("remind_alt_text", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column(
                "show_sensitive_media", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with _rebuilding_users(), op.batch_alter_table("users") as batch:
        batch.drop_column("show_sensitive_media")
        batch.drop_column("remind_alt_text")
    with _rebuilding_users(), op.batch_alter_table("posts") as batch:
        batch.drop_column("content_warning")
        batch.drop_column("sensitive")
