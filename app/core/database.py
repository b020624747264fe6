"""The unit of work: one database session per request, committed once at the edge.

Services flush but never commit. A request that ends in a 2xx or 3xx response
commits what they flushed; anything else (a 4xx, an exception, a 500) rolls
back, so a failed request leaves no half-written rows.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from sqlalchemy import Engine, event

from app.extensions import db


def install_unit_of_work(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave like the PostgreSQL we run in production, as far as it can.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; the
    documented recipe hands transaction control to SQLAlchemy instead. Foreign
    keys are off in SQLite unless asked for.
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
        connection.exec_driver_sql("BEGIN")
