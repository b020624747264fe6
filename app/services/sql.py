"""Small SQL helpers the services share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Base

T = TypeVar("T")


def is_postgresql() -> bool:
    """Whether the session talks to PostgreSQL (else SQLite, for development and tests)."""
    return db.session.get_bind().dialect.name == "postgresql"


def insert_ignoring_duplicates(model: type[Base], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when a row was written.

    A double submit or two requests racing each other then cannot create a
    second like, follow or bookmark, and never fail with an integrity error.
    """
    insert = postgresql.insert if is_postgresql() else sqlite.insert
    # RETURNING says whether a row was written; rowcount is not reliable across drivers.
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(literal(1))
    return db.session.execute(statement).first() is not None


def delete_returning(model: Any, *conditions: Any) -> bool:
    """DELETE … RETURNING: True when a row went. Only then may a counter move, so two
    requests deleting the same row (a double click) never count it twice."""
    statement = delete(model).where(*conditions).returning(literal(1))
    return db.session.execute(statement).first() is not None


def adjust_counters(model: Any, row_id: int, **deltas: int) -> None:
    """Add to counter columns in SQL (``count = count + 1``), so concurrent changes add up."""
    values = {name: getattr(model, name) + delta for name, delta in deltas.items()}
    db.session.execute(update(model).where(model.id == row_id).values(values))


def like_prefix(text: str) -> str:
    """A LIKE pattern matching ``text`` as a literal prefix (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first list; ``next_cursor`` continues it, None at the end."""

    items: Sequence[T]
    next_cursor: int | None


def page_from(rows: Sequence[T], limit: int, cursor_of: Any) -> Page[T]:
    """Build a page from ``limit + 1`` fetched rows: the extra row only says there is more."""
    if len(rows) > limit:
        kept = rows[:limit]
        return Page(kept, cursor_of(kept[-1]))
    return Page(rows, None)
