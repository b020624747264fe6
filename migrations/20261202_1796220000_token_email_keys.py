"""Action tokens remember the email key they were sent to, so a live cancel link holds it.

Revision ID: 1796220000
Revises: 1795760976
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1796220000"
down_revision: str | Sequence[str] | None = "1795760976"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_tokens") as batch:
        batch.add_column(sa.Column("email_key", sa.String(length=254), nullable=True))
        batch.create_index(batch.f("ix_action_tokens_email_key"), ["email_key"], unique=False)
    # Addresses are stored normalised; lower() is the key for every address made so far.
    op.execute("UPDATE action_tokens SET email_key = lower(email)")


def downgrade() -> None:
    with op.batch_alter_table("action_tokens") as batch:
        batch.drop_index(batch.f("ix_action_tokens_email_key"))
        batch.drop_column("email_key")
