"""When a session last proved itself with a second factor (a code or a passkey).

Giving an app access needs that within the re-authentication window where the account
has a second step; the password alone no longer does.

Revision ID: 1796600100
Revises: 1796500400
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796600100"
down_revision: str | Sequence[str] | None = "1796500400"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: a plain ADD COLUMN on both PostgreSQL and SQLite.
    op.add_column(
        "user_sessions", sa.Column("second_factor_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("user_sessions", "second_factor_at")
