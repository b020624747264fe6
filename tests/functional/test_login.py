"""Logging in and out, remember-me, redirects, server-side sessions, new-device alerts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import SecurityEvent, SecurityEventKind, User, UserSession, utcnow
from app.services.accounts.passwords import needs_rehash
from tests.factories import PASSWORD, create_user
from tests.support.apps import build_app
from tests.support.auth import AuthActions
from tests.support.queries import count_queries
from tests.support.smtp import Mailbox

GENERIC = "That username or email and password don&#39;t match."


def is_logged_in(client: FlaskClient) -> bool:
    return client.get("/settings/").status_code == 200


def events(app: Flask, kind: SecurityEventKind) -> list[SecurityEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.kind == kind)))


def sessions_of(app: Flask, user: User) -> list[UserSession]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id))
        )


@pytest.mark.parametrize(
    "identifier", ["juniper", "JUNIPER", "juniper@example.org", "Juniper@EXAMPLE.org"]
)
def test_log_in_with_username_or_email(
    client: FlaskClient, auth: AuthActions, user: User, identifier: str
) -> None:
    response = auth.login(identifier)
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    assert is_logged_in(client)


def test_wrong_password_and_unknown_user_get_the_same_answer(
    app: Flask, auth: AuthActions, user: User
) -> None:
    wrong = auth.login("juniper", "not the right password")
    unknown = auth.login("nobody-here", "not the right password")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    # The owner sees the failed attempt in the timeline, even though the request failed.
    assert len(events(app, SecurityEventKind.LOGIN_FAILED)) == 1


def test_session_cookie_carries_only_a_random_id(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    cookie = client.get_cookie("sapling_auth")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert len(cookie.value) == 43  # 32 random bytes, base64url
    [session] = sessions_of(app, user)
    assert session.token_hash != cookie.value and len(session.token_hash) == 64
    assert "juniper" not in cookie.value
    assert "." not in cookie.value  # not a signed payload (those have dot-separated parts)


def test_without_remember_me_the_cookie_dies_with_the_browser(
    app: Flask, auth: AuthActions, user: User
) -> None:
    response = auth.login("juniper")
    set_cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("sapling_auth=")
    )
    assert "Max-Age" not in set_cookie and "Expires" not in set_cookie
    [session] = sessions_of(app, user)
    assert not session.remember
    assert session.expires_at - session.created_at == timedelta(hours=12)


def test_remember_me_keeps_the_session_for_30_days(
    app: Flask, auth: AuthActions, user: User
) -> None:
    response = auth.login("juniper", remember=True)
    set_cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("sapling_auth=")
    )
    assert f"Max-Age={30 * 86400}" in set_cookie
    [session] = sessions_of(app, user)
    assert session.remember
    assert session.expires_at - session.created_at == timedelta(days=30)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/settings/devices", "/settings/devices"),
        ("//evil.example", "/home"),
        ("https://evil.example", "/home"),
        ("/\\evil.example", "/home"),
        ("http:/evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
    ],
)
def test_next_only_leads_to_this_site(
    auth: AuthActions, user: User, next_url: str, expected: str
) -> None:
    response = auth.login("juniper", next_url=next_url)
    assert response.headers["Location"] == expected


def test_pages_behind_login_redirect_with_next(client: FlaskClient) -> None:
    response = client.get("/settings/devices")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_post_only_and_ends_the_session_record(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    stolen = client.get_cookie("sapling_auth").value  # type: ignore[union-attr]
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 303
    assert not is_logged_in(client)
    [session] = sessions_of(app, user)
    assert session.revoked_at is not None
    # Replaying the old cookie does not bring the session back.
    client.set_cookie("sapling_auth", stolen)
    assert not is_logged_in(client)


def test_expired_session_no_longer_works(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert not is_logged_in(client)


def test_last_seen_is_written_at_most_every_few_minutes(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    [before] = sessions_of(app, user)
    client.get("/settings/")
    [unchanged] = sessions_of(app, user)
    assert unchanged.last_seen_at == before.last_seen_at
    with app.app_context():
        old = utcnow() - timedelta(minutes=10)
        db.session.execute(sa.update(UserSession).values(last_seen_at=old))
        db.session.commit()
    client.get("/settings/")
    [touched] = sessions_of(app, user)
    assert touched.last_seen_at > old + timedelta(minutes=9)
    assert touched.expires_at > touched.last_seen_at + timedelta(
        hours=11
    )  # idle window slid forward


def test_outdated_hash_is_upgraded_on_login(app: Flask, auth: AuthActions, user: User) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash(PASSWORD)
    with app.app_context():
        db.session.execute(sa.update(User).values(password_hash=weak))
        db.session.commit()
    assert auth.login("juniper").status_code == 303
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash))
        assert stored != weak and not needs_rehash(stored)


def test_login_from_a_new_device_sends_an_alert(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")  # the first browser an account uses is not news
    assert mailbox.to("juniper@example.org") == []
    auth.logout()
    auth.login("juniper")  # same browser (device cookie kept): still quiet
    assert mailbox.to("juniper@example.org") == []

    other = AuthActions(app.test_client())
    other.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"
    )
    other.login("juniper")
    [alert] = mailbox.to("juniper@example.org")
    assert "New sign-in" in alert["Subject"]
    assert "Firefox on Windows" in alert.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert len(events(app, SecurityEventKind.NEW_DEVICE)) == 1


def test_unverified_users_can_log_in_and_see_the_banner(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    create_user(app, "sprout", verified=False)
    auth.login("sprout")
    text = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Confirm your email address to post, comment and follow." in text


@pytest.mark.parametrize(
    "fields",
    [
        {"identifier": "x" * 300, "password": PASSWORD},
        {"identifier": "juniper", "password": "p" * 2000},
        {"identifier": "", "password": ""},
        {"identifier": "\x00juniper", "password": PASSWORD},
    ],
)
def test_hostile_login_input_is_4xx(auth: AuthActions, user: User, fields: dict[str, str]) -> None:
    response = auth.post("/login", fields)
    assert 400 <= response.status_code < 500


@pytest.mark.config(RATELIMIT_LOGIN="3 per minute")
def test_login_is_rate_limited(auth: AuthActions, user: User) -> None:
    for _ in range(3):
        auth.login("juniper", "wrong password here")
    response = auth.login("juniper")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_another_app_in_the_process_leaves_this_apps_logins_alone(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    """Flask-Login's manager is one object for the process: an app built later (the live
    site's tests build several, production-like ones included) must not change which
    cookie this app reads."""
    assert auth.login(user.username).status_code == 303
    build_app(
        str(app.config["DATABASE_URL"]), tmp_path / "media", {"AUTH_COOKIE_NAME": "another_auth"}
    )
    assert is_logged_in(client)


def test_a_browser_that_logged_in_before_asks_nothing_about_other_browsers(
    app: Flask, auth: AuthActions, user: User
) -> None:
    """The common login (a returning browser) skips the "any other browser?" count: every
    statement is one the login needs (issue #18: the login's own work beside argon2)."""
    auth.login("juniper")
    auth.logout()
    with count_queries(app) as statements:
        assert auth.login("juniper").status_code == 303

    counts = [s for s in statements if "count(" in s.lower() and "known_devices" in s]
    assert counts == []
