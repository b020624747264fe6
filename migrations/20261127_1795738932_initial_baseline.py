"""Initial baseline: the empty schema every later revision builds on.

Revision ID: 1795738932
Revises:
Create Date: 2026-11-27 00:22:12
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "1795738932"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("default",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
