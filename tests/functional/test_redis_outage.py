"""A Redis that hangs or dies: the app asks it once, then leaves it alone for a while.

Redis sits behind tests/support/tcp_proxy.py, which is frozen like a SIGSTOPped server
(connections accepted, nothing answered) or cut. The proxy counts what reaches it, so
"the app stopped asking" is asserted by counting, never by timing; the time a page costs
is measured by ``python -m scripts.bench.outage``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from app.config import Config
from app.extensions import db, limiter
from tests.factories import create_post, create_user
from tests.support.apps import REDIS_URL, build_app, migrated_database
from tests.support.auth import AuthActions
from tests.support.members import badge, login, send
from tests.support.tcp_proxy import TCPProxy
from tests.support.worker_process import wait_until

pytestmark = pytest.mark.skipif(REDIS_URL is None, reason="needs a real Redis to stand behind")
DOWN, BACK = "Redis unavailable", "Redis is back"
FAILED_LOGIN = 401  # what a wrong password answers, Redis or not
STRANGERS = itertools.count(1)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """These apps commit (their requests are real), so they get a database of their own."""
    with migrated_database(tmp_path_factory, "redis-outage-db") as url:
        yield url


@pytest.fixture
def proxy() -> Iterator[TCPProxy]:
    assert REDIS_URL is not None
    real = Redis.from_url(REDIS_URL).connection_pool.connection_kwargs
    with TCPProxy(real["host"], real["port"]) as running:
        yield running


@contextmanager
def proxied_app(
    proxy: TCPProxy, database_url: str, tmp_path: Path, breaker_seconds: float
) -> Iterator[Flask]:
    """Every Redis user (the client, the counters, the badge cache, the rate limiter's own
    storage) goes through the proxy. The breaker window is a setting, not a sleep."""
    assert REDIS_URL is not None
    url = REDIS_URL.replace(REDIS_URL.split("/")[2], f"127.0.0.1:{proxy.port}")
    app = build_app(
        database_url,
        tmp_path / "media",
        {
            "REDIS_URL": url,
            "RATELIMIT_STORAGE_URI": url,
            "REDIS_BREAKER_SECONDS": breaker_seconds,
            "REDIS_SOCKET_TIMEOUT": Config({}).REDIS_SOCKET_TIMEOUT,  # what production waits
        },
    )

    @app.get("/_test/limited")
    @limiter.limit("1000 per minute")
    def limited() -> str:
        return "ok"

    yield app
    with app.app_context():
        db.engine.dispose()


def lines(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


def every_redis_user(app: Flask, reader: FlaskClient) -> list[int]:
    """One page for each way the app uses Redis: the unread badge, the rate limiter, and
    the login guard's counters (a wrong password through the real form, each from a
    fresh address and for a fresh name, so no CAPTCHA or lock comes into it)."""
    n = next(STRANGERS)
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
    return [
        reader.get("/explore").status_code,
        app.test_client().get("/_test/limited").status_code,
        AuthActions(stranger).login(f"nobody-{n}", "not-the-password").status_code,
    ]


def test_a_frozen_redis_is_asked_once_then_left_alone(
    proxy: TCPProxy, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with proxied_app(proxy, database_url, tmp_path, breaker_seconds=600) as app:
        frozen_once_then_left_alone(app, proxy, caplog)


def frozen_once_then_left_alone(
    app: Flask, proxy: TCPProxy, caplog: pytest.LogCaptureFixture
) -> None:
    names = ["frozen_alice", "frozen_bob"]
    alice = create_user(app, names[0])
    create_user(app, names[1])
    post = create_post(app, alice)
    reader, bob = login(app, names[0]), login(app, names[1])
    send(bob, f"/p/{post.id}/like", on="1")
    assert badge(reader) == 1  # Redis is in use: the count is cached there

    proxy.freeze()
    with caplog.at_level(logging.INFO):
        assert reader.get("/explore").status_code == 200  # the one request that waits
        asked = proxy.traffic()
        for _ in range(3):
            assert badge(reader) == 1  # counted in the database instead
        assert proxy.traffic() == asked  # not one connection, not one byte more
        for _ in range(3):
            assert every_redis_user(app, reader) == [200, 200, FAILED_LOGIN]
        assert proxy.traffic() == asked  # not one connection, not one byte more
    assert lines(caplog, DOWN) == 1
    assert lines(caplog, BACK) == 0


def test_redis_is_used_again_once_it_answers(
    proxy: TCPProxy, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with proxied_app(proxy, database_url, tmp_path, breaker_seconds=0.2) as app:
        used_again_once_it_answers(app, proxy, caplog)


def used_again_once_it_answers(
    app: Flask, proxy: TCPProxy, caplog: pytest.LogCaptureFixture
) -> None:
    names = ["thawed_alice", "thawed_bob"]
    alice = create_user(app, names[0])
    create_user(app, names[1])
    post = create_post(app, alice)
    reader, bob = login(app, names[0]), login(app, names[1])

    with caplog.at_level(logging.INFO):
        proxy.freeze()
        assert reader.get("/explore").status_code == 200
        proxy.thaw()
        send(bob, f"/p/{post.id}/like", on="1")
        before = proxy.traffic()
        wait_until(
            lambda: reader.get("/explore").status_code == 200 and lines(caplog, BACK) == 1,
            15,
            f"{BACK!r} in the log",
        )
        assert badge(reader) == 1
        assert proxy.traffic() > before  # asked again
        real = Redis.from_url(REDIS_URL or "")
        prefix = app.config["RATELIMIT_KEY_PREFIX"]
        wait_until(lambda: bool(real.keys(f"{prefix}:unread:*")), 15, "the badge cached again")
    assert lines(caplog, DOWN) == 1
    assert lines(caplog, BACK) == 1


def test_a_dead_redis_is_logged_once_and_pages_still_answer(
    proxy: TCPProxy, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with proxied_app(proxy, database_url, tmp_path, breaker_seconds=600) as app:
        create_user(app, "dead_reader")
        reader = login(app, "dead_reader")
        proxy.stop()  # refused, not hung
        with caplog.at_level(logging.INFO):
            for _ in range(3):
                assert every_redis_user(app, reader) == [200, 200, FAILED_LOGIN]
    assert lines(caplog, DOWN) == 1
