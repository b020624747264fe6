"""Counting the SQL statements a request sends, to prove a page's query count is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Yields a list that fills with every statement executed inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    # In the rolled-back test transaction the session is bound to one connection.
    with app.app_context():
        bind = db.session.get_bind()
    event.listen(bind, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", record)


# The most queries any page may cost (tests/functional/test_query_counts.py holds every page to it).
BUDGET = 6
