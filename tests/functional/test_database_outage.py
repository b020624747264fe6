"""A database that goes away answers 503 with Retry-After and a clear page, never a 500.

PostgreSQL sits behind tests/support/tcp_proxy.py, which is cut and restored; a backend
is also killed in the middle of a request with pg_terminate_backend, as a failover or
an administrator would. The shared server itself is never touched.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from app import config, create_app
from app.extensions import db
from tests.factories import create_user
from tests.support.apps import build_app, migrated_database
from tests.support.members import login
from tests.support.pages import csrf_token_for
from tests.support.tcp_proxy import TCPProxy
from tests.support.worker_process import wait_until

pytestmark = pytest.mark.postgres
TITLE = '<h1 id="error-title">Temporarily unavailable</h1>'
MEMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def real_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Requests here commit for real, so the module has a database of its own."""
    with migrated_database(tmp_path_factory, "db-outage") as url:
        yield url


@pytest.fixture
def proxy(real_url: str) -> Iterator[TCPProxy]:
    real = make_url(real_url)
    assert real.host and real.port
    with TCPProxy(real.host, real.port) as running:
        yield running


@pytest.fixture
def site(real_url: str, proxy: TCPProxy, tmp_path: Path) -> Iterator[Flask]:
    through_proxy = make_url(real_url).set(port=proxy.port).render_as_string(hide_password=False)
    app = build_app(through_proxy, tmp_path / "media")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not as in a debugger
    killer = sa.create_engine(real_url)  # straight to the server, not through the proxy

    @app.get("/_test/killed")
    def killed() -> str:
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with killer.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(sa.text("SELECT 1"))  # the server has hung up on this one
        return "unreachable"

    @app.get("/_test/write-then-lose")
    def write_then_lose() -> str:
        db.session.execute(sa.text("CREATE TABLE IF NOT EXISTS outage_probe (n int)"))
        db.session.execute(sa.text("INSERT INTO outage_probe VALUES (1)"))
        proxy.stop()  # gone between the work and the commit
        return "written"

    @app.get("/_test/bad-sql")
    def bad_sql() -> str:
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "unreachable"

    yield app
    killer.dispose()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def member(site: Flask) -> FlaskClient:
    name = f"member{next(MEMBERS)}"
    create_user(site, name)
    return login(site, name)


def assert_unavailable(response: TestResponse) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    text = response.get_data(as_text=True)
    assert TITLE in text
    assert "try again" in text
    for leak in ("Traceback", "psycopg", "OperationalError", "127.0.0.1", "SELECT"):
        assert leak not in text


def test_pages_answer_503_while_the_database_is_cut_and_recover(
    site: Flask, proxy: TCPProxy, member: FlaskClient
) -> None:
    token = csrf_token_for(member)
    proxy.stop()  # the database is down: connections cut, new ones refused
    assert_unavailable(member.get("/explore"))  # signed in: the session is in the database
    assert_unavailable(site.test_client().get("/@nobody_at_all"))  # a visitor's page
    assert_unavailable(member.post("/notifications/read", data={"csrf_token": token}))
    proxy.start()
    wait_until(lambda: member.get("/explore").status_code == 200, 20, "pages again")


def test_a_connection_killed_in_the_middle_of_a_request_answers_503(
    member: FlaskClient,
) -> None:
    assert_unavailable(member.get("/_test/killed"))
    assert member.get("/explore").status_code == 200  # the dead connection was dropped


def test_a_connection_lost_at_commit_answers_503_and_saves_nothing(
    site: Flask, proxy: TCPProxy, member: FlaskClient
) -> None:
    assert_unavailable(member.get("/_test/write-then-lose"))
    proxy.start()
    with site.app_context():
        assert not db.session.scalar(sa.text("SELECT to_regclass('outage_probe') IS NOT NULL"))


def test_an_exhausted_pool_answers_503(real_url: str, tmp_path: Path) -> None:
    engine = {"url": real_url, "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
    settings = {
        "SQLALCHEMY_ENGINES": {"default": engine},
        "MEDIA_ROOT": str(tmp_path / "media"),
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "PROPAGATE_EXCEPTIONS": False,
    }
    app = create_app(config.TestingConfig({"DATABASE_URL": real_url}), settings)
    with app.app_context():
        held = db.engine.connect()  # the only connection, taken
        try:
            create_user_page = app.test_client().get("/@somebody")
        finally:
            held.close()
            db.engine.dispose()
    assert_unavailable(create_user_page)


def test_the_500_page_is_still_a_500_for_other_database_errors(site: Flask) -> None:
    response = site.test_client().get("/_test/bad-sql")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
