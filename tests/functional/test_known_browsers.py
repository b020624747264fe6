"""Device cookies: a stranger's failures can lock strangers out, never the owner's own browser.

The attacker here is as strong as a script can be: it solves every challenge it
is shown (tests/support/challenges.py) and comes from a new address each time.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User
from tests.factories import PASSWORD, create_user
from tests.support.auth import AuthActions
from tests.support.challenges import captcha_id_in, pow_challenge_in, solved_fields

WRONG = "a wrong guess at it"
LOCKED = "Too many failed attempts for this account."


def cookie_name(app: Flask) -> str:
    return str(app.config.get("KNOWN_BROWSER_COOKIE_NAME", "sapling_known_browser"))


def browser_at(app: Flask, address: str) -> AuthActions:
    actions = AuthActions(app.test_client())
    actions.client.environ_base["REMOTE_ADDR"] = address
    return actions


def known_browser(app: Flask, username: str = "juniper") -> AuthActions:
    """The owner's browser: it logged in once (and out again), so it holds a device cookie."""
    owner = browser_at(app, "198.51.100.7")
    assert owner.login(username).status_code == 303
    assert owner.logout().status_code == 303
    return owner


def lock_out(app: Flask, attempts: int = 14, identifier: str = "juniper") -> list[int]:
    """A scripted attacker that solves every challenge and keeps guessing; its statuses."""
    statuses = []
    page = ""
    for n in range(attempts):
        attacker = browser_at(app, f"203.0.113.{n + 1}")  # a fresh address every time
        data = {"identifier": identifier, "password": WRONG, **solved_fields(app, page)}
        response = attacker.post("/login", data)
        statuses.append(response.status_code)
        page = response.get_data(as_text=True)
    assert 429 in statuses, statuses  # the account is locked for strangers
    return statuses


def login_post(actions: AuthActions, password: str = PASSWORD) -> tuple[int, str]:
    response = actions.post("/login", {"identifier": "juniper", "password": password})
    return response.status_code, response.get_data(as_text=True)


def test_an_attacker_who_solves_every_challenge_cannot_lock_out_the_owners_browser(
    app: Flask, user: User
) -> None:
    owner = known_browser(app)
    lock_out(app)

    # The owner's browser, with the right password: straight in, no 429, no CAPTCHA.
    status, page = login_post(owner)
    assert status == 303, page
    assert owner.client.get("/settings/").status_code == 200

    # Any other browser, even with the right password, meets the lock.
    status, page = login_post(browser_at(app, "198.51.100.8"))
    assert status == 429
    assert LOCKED in page


def test_the_known_browser_is_never_asked_for_a_challenge(app: Flask, user: User) -> None:
    owner = known_browser(app)
    for n in range(3):  # enough failures elsewhere that strangers get the CAPTCHA
        browser_at(app, f"203.0.113.{n + 1}").post(
            "/login", {"identifier": "juniper", "password": WRONG}
        )
    stranger = browser_at(app, "198.51.100.9")
    status, page = login_post(stranger)
    assert status == 422 and captcha_id_in(page) and pow_challenge_in(page)

    status, page = login_post(owner)
    assert status == 303


def test_wrong_passwords_from_the_known_browser_lock_only_that_cookie(
    app: Flask, user: User
) -> None:
    owner = known_browser(app)
    statuses = [login_post(owner, WRONG)[0] for _ in range(6)]
    # Its own count, no CAPTCHA on the way (it has proved itself before), then its own lock.
    assert statuses == [401, 401, 401, 401, 401, 429]
    status, page = login_post(owner)
    assert status == 429 and LOCKED in page  # a stolen cookie buys no unlimited guessing

    # The account itself was not touched: an unknown browser is not even asked a CAPTCHA.
    status, page = login_post(browser_at(app, "198.51.100.10"))
    assert status == 303


def test_the_lock_reads_the_same_for_a_missing_account_and_a_real_one(
    app: Flask, user: User
) -> None:
    lock_out(app)
    lock_out(app, identifier="nobody-here")
    real = browser_at(app, "198.51.100.11").post(
        "/login", {"identifier": "juniper", "password": PASSWORD}
    )
    missing = browser_at(app, "198.51.100.12").post(
        "/login", {"identifier": "nobody-here", "password": PASSWORD}
    )
    assert real.status_code == missing.status_code == 429
    waits = int(real.headers["Retry-After"]), int(missing.headers["Retry-After"])
    assert abs(waits[0] - waits[1]) <= 1
    assert LOCKED in real.get_data(as_text=True) and LOCKED in missing.get_data(as_text=True)


def _tampered(value: str) -> str:
    last = value[-1]
    return value[:-1] + ("A" if last != "A" else "B")


def _other_account(app: Flask) -> str:
    create_user(app, "rowan", "rowan@example.org")
    other = known_browser(app, "rowan")
    cookie = other.client.get_cookie(cookie_name(app))
    assert cookie is not None
    return cookie.value


def _expired(app: Flask) -> str:
    from app.services.security import known_browsers

    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.username == "juniper"))
        assert owner is not None
        days = int(app.config["KNOWN_BROWSER_DAYS"])
        return known_browsers.issue(owner, now=time.time() - days * 86400 - 60)


@pytest.mark.parametrize(
    "make_cookie",
    [
        pytest.param(lambda app, real: "1.1700000000.bm9uY2U.c2lnbmF0dXJl", id="forged"),
        pytest.param(lambda app, real: _tampered(real), id="tampered"),
        pytest.param(lambda app, real: real.replace(real.split(".")[0], "999999", 1), id="uid"),
        pytest.param(lambda app, real: _expired(app), id="expired"),
        pytest.param(lambda app, real: _other_account(app), id="other-account"),
        pytest.param(lambda app, real: "x" * 4000, id="oversized"),
        pytest.param(lambda app, real: "~".join([real + "é"] * 40), id="unicode-and-many"),
        pytest.param(lambda app, real: "\u202e" + real, id="bidi"),
    ],
)
def test_a_bad_device_cookie_counts_as_an_unknown_browser(
    app: Flask, user: User, make_cookie: object
) -> None:
    real_browser = known_browser(app)
    real = real_browser.client.get_cookie(cookie_name(app))
    assert real is not None
    assert callable(make_cookie)
    value = make_cookie(app, real.value)
    lock_out(app)

    impostor = browser_at(app, "198.51.100.13")
    impostor.client.set_cookie(cookie_name(app), value)
    status, page = login_post(impostor)
    assert status == 429 and LOCKED in page


def test_a_password_change_retires_the_old_device_cookies(
    app: Flask, client: FlaskClient, user: User
) -> None:
    owner = known_browser(app)
    old = owner.client.get_cookie(cookie_name(app))
    assert old is not None
    with app.app_context():
        from app.services.security import sessions

        member = db.session.get(User, user.id)
        assert member is not None
        sessions.end_all_sessions(member)  # what a password change or reset does
        db.session.commit()
    lock_out(app)
    status, _ = login_post(owner)
    assert status == 429  # the old cookie no longer vouches for this browser


def test_each_login_gives_the_browser_a_fresh_device_cookie(app: Flask, user: User) -> None:
    owner = known_browser(app)
    first = owner.client.get_cookie(cookie_name(app))
    assert owner.login("juniper").status_code == 303
    second = owner.client.get_cookie(cookie_name(app))
    assert first is not None and second is not None and first.value != second.value
    assert second.http_only and second.same_site == "Lax" and second.path == "/"


def test_a_shared_browser_vouches_for_each_account_that_logged_in_there(
    app: Flask, user: User
) -> None:
    create_user(app, "rowan", "rowan@example.org")
    family = known_browser(app)
    assert family.login("rowan").status_code == 303
    assert family.logout().status_code == 303
    lock_out(app)
    lock_out(app, identifier="rowan")
    assert login_post(family)[0] == 303
    assert family.logout().status_code == 303
    response = family.post("/login", {"identifier": "rowan", "password": PASSWORD})
    assert response.status_code == 303


def test_in_production_the_device_cookie_is_host_only_secure_and_httponly() -> None:
    from werkzeug.wrappers import Response

    from app.controllers.support.authentication import set_known_browser_cookie
    from tests.support.production import production_app

    app = production_app()
    with app.test_request_context("/login", base_url="https://sapling.example"):
        response = Response()
        set_known_browser_cookie(response, User(id=7, session_epoch="an epoch"))
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-sapling_known_browser=7.")
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite", "max-age"} <= attributes
    assert "domain" not in attributes
    assert "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
