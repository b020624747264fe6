"""The unit of work: one database session per request, committed once at the edge.

Services flush but never commit. A request that ends in a 2xx or 3xx response
commits what they flushed; anything else (a 4xx, an exception, a 500) rolls
back, so a failed request leaves no half-written rows. A controller may keep a
failed request's writes on purpose (a failed login is recorded) with
``keep_changes_on_error()``. CLI commands and the worker commit their own units.

Work that must follow a successful commit, such as sending queued email,
registers with ``after_commit()``; work that undoes a side effect outside the
database (files written for rows that will not exist) registers with
``after_rollback()``. Both lists live in the session (``session.info``) and run
from its transaction events, so they behave the same in a request, a CLI command
and the worker: when the outermost transaction ends, committed or not (a
savepoint's end does not count; nor does the release of the savepoint that tests
wrap each request in, which is the test's "outermost" commit). Each runs once; a
failure is logged and never undoes the commit or turns the response into an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg
from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

log = logging.getLogger(__name__)

Callback = Callable[[], None]
_AFTER_COMMIT = "after_commit"
_AFTER_ROLLBACK = "after_rollback"
_COMMITTED = "committed"


def keep_changes_on_error() -> None:
    g.keep_changes = True


def after_commit(callback: Callback) -> None:
    """Run ``callback`` once the current unit of work has committed (never if it rolls back)."""
    _register(_AFTER_COMMIT, callback)


def after_rollback(callback: Callback) -> None:
    """Run ``callback`` if the current unit of work ends without committing."""
    _register(_AFTER_ROLLBACK, callback)


def delivers_after_commit() -> bool:
    """Does this unit of work send the email it queued as soon as it commits?

    A CLI command and the worker always do. A request does when MAIL_DELIVER_AFTER_COMMIT
    is on; production turns it off and leaves that to the worker, so that a request's
    timing never depends on whether it queued email (docs/security.md).
    """
    return not has_request_context() or bool(current_app.config["MAIL_DELIVER_AFTER_COMMIT"])


def _register(kind: str, callback: Callback) -> None:
    callbacks: list[Callback] = db.session.info.setdefault(kind, [])
    if callback not in callbacks:
        callbacks.append(callback)


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    # Fires for a savepoint's release too; only the outermost transaction's commit counts.
    if not session.in_nested_transaction():
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _run_callbacks(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction has ended: run what was waiting on its outcome.

    Both lists are taken before anything runs, so a callback that commits work of its
    own (the outbox does) starts a fresh unit with fresh lists, and nothing runs twice.
    """
    if transaction.parent is not None or transaction.nested:
        return
    committed = session.info.pop(_COMMITTED, False)
    on_commit: list[Callback] = session.info.pop(_AFTER_COMMIT, [])
    on_rollback: list[Callback] = session.info.pop(_AFTER_ROLLBACK, [])
    for callback in on_commit if committed else on_rollback:
        try:
            callback()
        except Exception:
            # After a commit: the change stands, and what failed here is retried later
            # (the outbox, the maintenance sweep). After a rollback: leftovers (files)
            # are swept by `flask maintenance run`.
            log.exception("After-%s work failed", "commit" if committed else "rollback")
            session.rollback()


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
                db.session.commit()  # runs the after-commit callbacks
            except Exception:
                db.session.rollback()  # runs the after-rollback callbacks
                raise
        else:
            db.session.rollback()
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
