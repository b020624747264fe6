"""Fixtures: a real database per session, a rolled-back savepoint per test,
real Redis, SMTP and Chromium when the machine has them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from app.extensions import db
from app.models import User
from app.services.media import videos
from app.views.asset_build import build as build_assets
from scripts.browser import launch_chromium
from tests.factories import create_user
from tests.support.apps import (
    CHROMIUM,
    DATABASE,
    MEDIA_STORAGE,
    NGINX,
    NO_CHROMIUM,
    NO_NGINX,
    REDIS_REASON,
    REDIS_URL,
    build_app,
    migrated_database,
)
from tests.support.auth import AuthActions
from tests.support.browser import PageWatcher
from tests.support.demo import populate
from tests.support.live_server import LiveServer, LiveSite
from tests.support.moderation import add_import_states, add_moderation_cast
from tests.support.s3_server import stop_shared_server
from tests.support.smtp import Mailbox, SMTPServer


def on_xdist_worker(config: pytest.Config) -> bool:
    """Under pytest-xdist the controller prints the header and the summary, once."""
    return hasattr(config, "workerinput")


# The fallback skips the PostgreSQL-only tests, so it is held to a coverage floor of its own,
# named in its one fallback line; the full run keeps pyproject.toml's fail_under.
FALLBACK_COVERAGE_FLOOR = 90.0


NO_FFMPEG = "video tests skipped: no ffmpeg found (apt-get install ffmpeg strace)"
STATIC = Path(__file__).resolve().parents[1] / "app" / "static"


def pytest_configure(config: pytest.Config) -> None:
    # Pages link the minified stylesheets and scripts, as in production (app/views/asset_build;
    # the same input writes the same files, so xdist's workers may all run it).
    build_assets(STATIC)
    options = config.known_args_namespace  # what pytest-cov reads its floor from
    floor = getattr(options, "cov_fail_under", None)
    if DATABASE.kind == "sqlite" and floor:
        options.cov_fail_under = min(float(floor), FALLBACK_COVERAGE_FLOOR)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if on_xdist_worker(config):
        return []
    return [
        f"database: {DATABASE.kind} ({DATABASE.reason})",
        f"redis: {'yes' if REDIS_URL else 'no'} ({REDIS_REASON})",
        f"browser: {CHROMIUM or 'none'}",
        f"nginx: {NGINX or 'none'}",
        f"ffmpeg: {'yes' if videos.available() else 'none'}",
        f"media storage: {MEDIA_STORAGE}"
        + (" (a real S3 server, SeaweedFS, started per worker)" if MEDIA_STORAGE == "s3" else ""),
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if on_xdist_worker(config):
        return
    fallbacks = []
    if DATABASE.kind == "sqlite":
        fallbacks.append(
            f"SQLite instead of PostgreSQL ({DATABASE.reason}; PostgreSQL-only tests skipped, "
            f"coverage floor {FALLBACK_COVERAGE_FLOOR:g} %)"
        )
    if CHROMIUM is None:
        fallbacks.append(NO_CHROMIUM)
    if NGINX is None:
        fallbacks.append(NO_NGINX)
    if not videos.available():
        fallbacks.append(NO_FFMPEG)
    if fallbacks:
        terminalreporter.write_line(
            "Sapling tests ran with fallbacks: " + "; ".join(fallbacks) + "."
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    stop_shared_server()  # the S3 server, if this process started one (by its PID)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("postgres") and DATABASE.kind != "postgresql":
            item.add_marker(pytest.mark.skip(reason=f"needs PostgreSQL ({DATABASE.reason})"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's database; each test runs inside a transaction that is rolled back."""
    with migrated_database(tmp_path_factory, "db") as url:
        yield url


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app for one test. Everything it writes is rolled back at the end.

    Per-test settings come from ``@pytest.mark.config(NAME=value)``. A test that
    points DATABASE_URL elsewhere gets no transaction wrapping.
    """
    marker = request.node.get_closest_marker("config")
    overrides = dict(marker.kwargs) if marker else {}
    flask_app = build_app(database_url, tmp_path / "media", overrides)
    if "DATABASE_URL" in overrides:
        yield flask_app
        with flask_app.app_context():
            db.engine.dispose()
        return

    with flask_app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        # Requests commit as usual; each commit only releases a savepoint inside this transaction.
        db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield flask_app
    transaction.rollback()
    connection.close()
    with flask_app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on a loopback port; read what arrived from ``.mailbox``."""
    with SMTPServer() as server:
        yield server


@pytest.fixture
def mailbox(app: Flask, smtp_server: SMTPServer) -> Mailbox:
    """The app sends through the real SMTP server; the test reads what arrived."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False)
    return smtp_server.mailbox


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def user(app: Flask) -> User:
    """A verified member, password ``tests.factories.PASSWORD``."""
    return create_user(app, "juniper", "juniper@example.org")


LIVE_MEMBER = "member.live"
LIVE_SPROUT = "sprout.live"  # not verified yet
LIVE_MODERATOR = "moderator.live"  # an admin, for the /admin pages


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """Browser tests commit for real, so they get a database of their own."""
    with migrated_database(tmp_path_factory, "live-db") as url, SMTPServer() as smtp:
        app = build_app(
            url,
            tmp_path_factory.mktemp("live-media"),
            {
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": smtp.port,
                "MAIL_USE_TLS": False,
                # Every browser test comes from 127.0.0.1; limits have functional tests.
                **dict.fromkeys(
                    (
                        "RATELIMIT_LOGIN",
                        "RATELIMIT_SIGNUP",
                        "RATELIMIT_EMAIL",
                        "RATELIMIT_SECOND_FACTOR",
                        "RATELIMIT_REAUTH",
                        "RATELIMIT_SECOND_FACTOR_ACCOUNT",
                        "RATELIMIT_REAUTH_ACCOUNT",
                        "RATELIMIT_EMAIL_ADDRESS",
                    ),
                    "10000 per minute",
                ),
            },
        )
        create_user(app, LIVE_MEMBER)
        create_user(app, LIVE_SPROUT, verified=False)
        ids = populate(app, LIVE_MEMBER)
        add_moderation_cast(app, ids, LIVE_MODERATOR, LIVE_MEMBER)
        add_import_states(app, LIVE_MODERATOR, "hazel.live")
        server = LiveServer(app)
        # Passkeys need a domain, not an IP: the passkey tests browse http://localhost:PORT.
        port = server.server.server_port
        app.config["WEBAUTHN_ORIGINS"] = [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
        with server:
            yield LiveSite(server, smtp.mailbox, app, ids)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_site: LiveSite) -> LiveServer:
    return live_site.server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("SAPLING_REQUIRE_BROWSER"):
            pytest.fail("SAPLING_REQUIRE_BROWSER is set but no Chromium was found")
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    return browser_context.new_page()


@pytest.fixture
def watched_page(page: Page, live_server: LiveServer) -> PageWatcher:
    """A page that records console errors, CSP violations and third-party requests."""
    return PageWatcher(page, live_server.url)
