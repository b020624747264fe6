"""The unit of work: one database session per request, committed once at the edge.

Services flush but never commit. A request that ends in a 2xx or 3xx response
commits what they flushed; anything else (a 4xx, an exception, a 500) rolls
back, so a failed request leaves no half-written rows. A controller may keep a
failed request's writes on purpose (a failed login is recorded) with
``keep_changes_on_error()``. Work that must follow a successful commit, such as
sending queued email, registers with ``after_commit()``; work that undoes a
side effect outside the database (files written for rows that will not exist)
registers with ``after_rollback()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg
from flask import Flask, Response, g
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

from app.extensions import db

log = logging.getLogger(__name__)


def keep_changes_on_error() -> None:
    g.keep_changes = True


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this request's transaction has committed (never if it rolls back)."""
    callbacks: list[Callable[[], None]] = g.setdefault("after_commit", [])
    if callback not in callbacks:
        callbacks.append(callback)


def after_rollback(callback: Callable[[], None]) -> None:
    """Run ``callback`` if this request's transaction rolls back instead of committing."""
    callbacks: list[Callable[[], None]] = g.setdefault("after_rollback", [])
    if callback not in callbacks:
        callbacks.append(callback)


def _run_rollback_callbacks() -> None:
    for callback in g.pop("after_rollback", []):
        try:
            callback()
        except Exception:
            # Leftovers (files) are swept later by `flask maintenance run`.
            log.exception("After-rollback clean-up failed")


def database_unavailable(error: BaseException | None) -> bool:
    """Is ``error`` the database being out of reach, rather than a bug in a query?

    An outage is: no connection to be had (refused, timed out, the pool exhausted), a
    connection lost mid-request (SQLAlchemy marks it ``connection_invalidated``), or an
    OperationalError, which the DB-API reserves for errors outside the program's control
    (a server shutting down, out of resources). Those answer 503; the rest stay a 500.
    """
    if isinstance(error, sa_exc.TimeoutError):  # QueuePool limit reached
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or isinstance(error, sa_exc.OperationalError)
    return isinstance(error, psycopg.OperationalError)


def install_unit_of_work(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400 or g.pop("keep_changes", False):
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                _run_rollback_callbacks()
                raise
            g.pop("after_rollback", None)
            for callback in g.pop("after_commit", []):
                try:
                    callback()
                except Exception:
                    # The user's change is committed; whatever failed here is retried later.
                    log.exception("After-commit work failed")
                    db.session.rollback()
        else:
            db.session.rollback()
            _run_rollback_callbacks()
        return response


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave like the PostgreSQL we run in production, as far as it can.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; the
    documented recipe hands transaction control to SQLAlchemy instead. Foreign
    keys are off in SQLite unless asked for.

    Transactions start with BEGIN IMMEDIATE: two deferred transactions that both
    read and then write deadlock, and SQLite fails one at once ("database is
    locked") instead of waiting. Taking the write lock up front makes writers
    queue for up to busy_timeout, which is what a small embedded deployment needs.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
