"""A photo's blurred preview: the tiny WebP (base64) a sensitive post's cover shows behind
"Show". Photos stored before it get "" and a preview from the maintenance run.

Revision ID: 1796400100
Revises: 1796300500
Create Date: 2026-12-03 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796400100"
down_revision: str | Sequence[str] | None = "1796300500"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: a plain ADD COLUMN on both PostgreSQL and SQLite, no table rebuild.
    op.add_column(
        "photos",
        sa.Column("placeholder", sa.String(length=400), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("placeholder")
