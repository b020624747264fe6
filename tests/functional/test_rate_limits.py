"""Rate limits: per client (IPv6 grouped by /64), per target account, shared through Redis."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import limiter
from tests.factories import create_user
from tests.support.apps import REDIS_URL, build_app
from tests.support.auth import AuthActions


def limited_app(app: Flask, limit: str = "2 per minute") -> Flask:
    @app.get("/_test/limited")
    @limiter.limit(limit)
    def limited() -> str:
        return "ok"

    return app


def hit(app: Flask, remote: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = app.test_client().get(
        "/_test/limited", headers=headers, environ_base={"REMOTE_ADDR": remote}
    )
    return response.status_code


def test_ipv6_clients_in_one_slash_64_share_a_bucket(app: Flask) -> None:
    limited_app(app)
    assert hit(app, "2001:db8:1:2::1") == 200
    assert hit(app, "2001:db8:1:2:ffff:ffff:ffff:fffe") == 200
    assert hit(app, "2001:db8:1:2::abcd") == 429  # same /64, third request
    assert hit(app, "2001:db8:1:3::1") == 200  # the neighbouring /64 is someone else


def test_ipv4_mapped_addresses_count_as_their_ipv4_address(app: Flask) -> None:
    limited_app(app)
    assert hit(app, "198.51.100.4") == 200
    assert hit(app, "::ffff:198.51.100.4") == 200
    assert hit(app, "198.51.100.4") == 429


@pytest.mark.config(TRUSTED_PROXY_COUNT=1)
def test_spoofed_forwarded_for_behind_a_proxy_does_not_give_a_fresh_bucket(app: Flask) -> None:
    limited_app(app)
    # nginx appends the real client (203.0.113.9); what the client wrote before it is ignored.
    codes = [hit(app, "10.0.0.2", f"192.0.2.{n}, 203.0.113.9") for n in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.config(TRUSTED_PROXY_COUNT=0)
def test_spoofed_forwarded_for_without_a_proxy_does_not_give_a_fresh_bucket(app: Flask) -> None:
    limited_app(app)
    codes = [hit(app, "198.51.100.7", f"192.0.2.{n}") for n in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.config(RATELIMIT_EMAIL_ADDRESS="2 per hour", RATELIMIT_EMAIL="100 per minute")
def test_one_inbox_can_only_be_sent_so_many_reset_links(app: Flask, user: object) -> None:
    statuses = []
    for n in range(3):
        client = AuthActions(app.test_client())
        client.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        statuses.append(
            client.post("/password/forgot", {"email": "Juniper@example.org"}).status_code
        )
    assert statuses == [200, 200, 429]


@pytest.mark.skipif(REDIS_URL is None, reason="needs Redis")
def test_two_instances_sharing_redis_enforce_one_limit(database_url: str, tmp_path: Path) -> None:
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"shared-{tmp_path.name}"}
    first = limited_app(build_app(database_url, tmp_path / "a", shared))
    second = limited_app(build_app(database_url, tmp_path / "b", shared))
    assert hit(first, "198.51.100.20") == 200
    assert hit(second, "198.51.100.20") == 200
    assert hit(first, "198.51.100.20") == 429
    assert hit(second, "198.51.100.20") == 429


def test_when_redis_is_down_limits_fall_back_to_this_process_and_say_so(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = {"REDIS_URL": "redis://127.0.0.1:1/0", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    app = limited_app(build_app(database_url, tmp_path, down))
    with caplog.at_level(logging.WARNING):
        assert hit(app, "198.51.100.30") == 200  # still serving
        assert hit(app, "198.51.100.30") == 200
        assert hit(app, "198.51.100.30") == 429  # and still limiting, per process
    assert any(
        r.levelno >= logging.WARNING and "storage" in r.getMessage().lower() for r in caplog.records
    )


@pytest.mark.config(RATELIMIT_POSTING="2 per hour")
def test_action_limits_count_per_account_across_addresses(app: Flask) -> None:
    from app.controllers.support.limits import action_limits

    app.config["WTF_CSRF_ENABLED"] = False

    @app.post("/_test/post")
    @action_limits("RATELIMIT_POSTING")
    def post() -> str:
        return "posted"

    create_user(app, "poster")
    statuses = []
    for n in range(3):
        browser = AuthActions(app.test_client())
        browser.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 10}"
        browser.login("poster")
        statuses.append(browser.client.post("/_test/post").status_code)
    assert statuses == [200, 200, 429]


@pytest.mark.config(RATELIMIT_EMAIL_ADDRESS="1 per hour", RATELIMIT_SIGNUP="100 per minute")
def test_sign_ups_cannot_mail_bomb_one_inbox(app: Flask, user: object) -> None:
    from tests.factories import PASSWORD

    first = AuthActions(app.test_client()).post(
        "/signup", {"username": "bomber1", "email": "juniper@example.org", "password": PASSWORD}
    )
    second = AuthActions(app.test_client()).post(
        "/signup", {"username": "bomber2", "email": "juniper@example.org", "password": PASSWORD}
    )
    assert (first.status_code, second.status_code) == (303, 429)
