"""Which database the suite runs on, and throwaway databases on PostgreSQL.

``TEST_DATABASE_URL`` picks the server: a PostgreSQL URL, or ``sqlite`` to force
the embedded fallback. Unset, the suite tries the local PostgreSQL that CI and
the development machines run, and falls back to SQLite if it is not there.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import sqlalchemy_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class DatabaseChoice:
    kind: str  # "postgresql" or "sqlite"
    server_url: str | None  # the PostgreSQL server to create throwaway databases on
    reason: str


def _postgres_reachable(url: str) -> bool:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def choose_database() -> DatabaseChoice:
    configured = os.environ.get("TEST_DATABASE_URL", "").strip()
    if configured.lower() == "sqlite":
        return DatabaseChoice("sqlite", None, "TEST_DATABASE_URL=sqlite")
    url = sqlalchemy_url(configured) if configured else DEFAULT_POSTGRES_URL
    if _postgres_reachable(url):
        return DatabaseChoice("postgresql", url, f"PostgreSQL at {make_url(url).host}")
    if configured:
        raise RuntimeError(f"TEST_DATABASE_URL is set but PostgreSQL does not answer: {configured}")
    return DatabaseChoice("sqlite", None, "no PostgreSQL answered at 127.0.0.1:5432")


def create_throwaway_database(server_url: str) -> str:
    name = f"sapling_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
