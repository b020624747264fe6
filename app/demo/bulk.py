"""Loading many rows at once, in the session's transaction (the caller commits).

On PostgreSQL rows stream through COPY (psycopg 3), which is an order of
magnitude faster than INSERT; elsewhere they go in as executemany INSERTs in
chunks. Either way the rows come from an iterable and are never all in memory.

For millions of rows, checking each one against its foreign keys and adding
it to every index costs far more than the COPY itself (about 19 s and 6 s per
million likes, against under 1 s). ``defer_checks`` drops those constraints
and indexes for the load and ``restore()`` puts them back, re-created from
PostgreSQL's own definitions, validating every row in one pass per constraint.
It is all one transaction: if anything fails, the rollback restores them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from psycopg import sql
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Base
from app.services.sql import is_postgresql

CHUNK = 5_000


def load_rows(model: type[Base], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns how many."""
    if is_postgresql():
        return _copy(model.__tablename__, columns, rows)
    connection = db.session.connection()
    statement = insert(Base.metadata.tables[model.__tablename__])
    count = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])
        count += len(chunk)
    return count


def _driver_connection() -> Any:
    """The session's own psycopg connection, so COPY joins its transaction (and a test's
    savepoint)."""
    raw = db.session.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("the session's connection has no live database connection")
    return raw


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    raw = _driver_connection()
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def next_id(model: type[Base]) -> int:
    """The id after the largest one in ``model``'s table (1 when empty)."""
    largest = func.max(model.__table__.c.id)
    return int(db.session.scalar(select(func.coalesce(largest, 0))) or 0) + 1


def reset_sequence(model: type[Base]) -> None:
    """After ids were given explicitly, let PostgreSQL's sequence continue after the largest.

    SQLite needs nothing: an INTEGER PRIMARY KEY always continues after the largest rowid.
    """
    if not is_postgresql():
        return
    largest = func.max(model.__table__.c.id)
    db.session.execute(
        select(
            func.setval(
                func.pg_get_serial_sequence(model.__tablename__, "id"),
                func.coalesce(largest, 1),
                largest.is_not(None),
            )
        )
    )


_FOREIGN_KEYS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[])
"""
# Primary keys that no foreign key refers to (likes, follows, ...): rebuilt after the load.
_LEAF_PRIMARY_KEYS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint c
    WHERE contype = 'p' AND conrelid = ANY(%(tables)s::regclass[])
    AND NOT EXISTS (
        SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.confrelid = c.conrelid
    )
"""
# Indexes of their own, not those behind a primary key or unique constraint.
_INDEXES = """
    SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
    WHERE indrelid = ANY(%(tables)s::regclass[]) AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid
    )
"""


def _trusted(definition: str) -> sql.SQL:
    # Written by PostgreSQL itself (pg_get_constraintdef, pg_get_indexdef), never by a user.
    return sql.SQL(definition)


Constraint = tuple[str, str, str]  # table, name, definition


@dataclass
class DeferredChecks:
    """What ``defer_checks`` dropped; ``restore()`` re-creates it, checking every row."""

    primary_keys: list[Constraint] = field(default_factory=list)
    foreign_keys: list[Constraint] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # name, CREATE INDEX ...

    def restore(self) -> None:
        """Keys first, then indexes; foreign keys last, so their checks can use the indexes."""
        if not (self.primary_keys or self.foreign_keys or self.indexes):
            return
        with _driver_connection().cursor() as cursor:
            for constraint in self.primary_keys:
                cursor.execute(_add_constraint(*constraint))
            for _name, definition in self.indexes:
                cursor.execute(_trusted(definition))
            for constraint in self.foreign_keys:
                cursor.execute(_add_constraint(*constraint))
        self.primary_keys, self.foreign_keys, self.indexes = [], [], []


def _add_constraint(table: str, name: str, definition: str) -> sql.Composed:
    return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
        _trusted(table), sql.Identifier(name), _trusted(definition)
    )


def allow_memory_for_bulk_work() -> None:
    """More memory for this transaction's sorts, hashes and index builds (PostgreSQL only).

    The defaults (4 MB and 64 MB) make recounting millions of rows spill to disk.
    """
    if is_postgresql():
        db.session.execute(select(func.set_config("work_mem", "256MB", True)))
        db.session.execute(select(func.set_config("maintenance_work_mem", "512MB", True)))


def defer_checks(*models: type[Base]) -> DeferredChecks:
    """On PostgreSQL, drop the foreign keys, unreferenced primary keys and plain indexes of
    ``models``' tables until ``restore()``; elsewhere, nothing. The caller rolls back on error.
    """
    deferred = DeferredChecks()
    if not is_postgresql():
        return deferred
    tables = {"tables": [model.__tablename__ for model in models]}
    with _driver_connection().cursor() as cursor:
        cursor.execute(_FOREIGN_KEYS, tables)
        deferred.foreign_keys = cursor.fetchall()
        cursor.execute(_LEAF_PRIMARY_KEYS, tables)
        deferred.primary_keys = cursor.fetchall()
        cursor.execute(_INDEXES, tables)
        deferred.indexes = cursor.fetchall()
        for table, name, _definition in deferred.foreign_keys + deferred.primary_keys:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    _trusted(table), sql.Identifier(name)
                )
            )
        for name, _definition in deferred.indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(_trusted(name)))
    return deferred
