"""Passkeys through the JSON endpoints, signed by a software authenticator."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Passkey, User
from tests.factories import create_user
from tests.support.auth import AuthActions
from tests.support.passkeys import ORIGIN, Browser, passwordless, register
from tests.support.smtp import Mailbox
from tests.support.soft_authenticator import SoftAuthenticator


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(origin=ORIGIN)


@pytest.fixture
def with_passkey(client: FlaskClient, user: User, authenticator: SoftAuthenticator) -> Browser:
    browser = Browser(client)
    browser.auth.login("juniper")
    response = register(browser, authenticator)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/settings/two-factor/"}
    browser.auth.logout()
    return browser


def test_registering_a_passkey_records_it_and_tells_the_owner(
    app: Flask, mailbox: Mailbox, with_passkey: Browser
) -> None:
    with app.app_context():
        [passkey] = db.session.scalars(sa.select(Passkey))
        assert passkey.name == "Laptop" and passkey.transports == "internal"
    [told] = [m for m in mailbox.to("juniper@example.org") if "sign-in" in str(m["Subject"])]
    text = told.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "A passkey was added" in text
    assert "Laptop" not in text  # its name was typed into a request: never printed in mail


def test_a_passkey_name_reaches_neither_mail_nor_the_timeline(
    app: Flask, client: FlaskClient, user: User, mailbox: Mailbox, authenticator: SoftAuthenticator
) -> None:
    browser = Browser(client)
    browser.auth.login("juniper")
    hostile = "URGENT call 555-0100 or visit evil-example-com"
    assert register(browser, authenticator, hostile).status_code == 200
    with app.app_context():
        passkey_id = db.session.scalar(sa.select(Passkey.id))
    pages = "/settings/two-factor/"
    rename = f"/settings/two-factor/passkeys/{passkey_id}/rename"
    assert browser.auth.post(rename, {"name": f"{hostile} 2"}).status_code == 303
    # The owner's own list of passkeys shows the name they gave: that is what it is for.
    assert f"{hostile} 2" in client.get(pages).get_data(as_text=True)
    delete = f"/settings/two-factor/passkeys/{passkey_id}/delete"
    assert browser.auth.post(delete).status_code == 303
    timeline = client.get("/settings/security").get_data(as_text=True)
    assert "Passkey added" in timeline and "Passkey renamed" in timeline
    assert "Passkey removed" in timeline
    texts = [
        m.get_body(preferencelist=(kind,)).get_content()  # type: ignore[union-attr]
        for m in mailbox.to("juniper@example.org")
        for kind in ("plain", "html")
    ]
    assert len(texts) == 4  # added, removed
    for text in [timeline, *texts]:
        assert "URGENT" not in text and "555-0100" not in text


def test_passwordless_sign_in(with_passkey: Browser, authenticator: SoftAuthenticator) -> None:
    response = passwordless(with_passkey, authenticator)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/home"}
    assert with_passkey.client.get("/settings/").status_code == 200


def test_a_sign_count_that_goes_backwards_is_refused(
    with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    assert passwordless(with_passkey, authenticator, sign_count=5).status_code == 200
    with_passkey.auth.logout()
    cloned = passwordless(with_passkey, authenticator, sign_count=3)
    assert cloned.status_code == 401
    assert with_passkey.client.get("/settings/").status_code == 302


def test_an_answer_cannot_be_replayed(
    with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    options = with_passkey.post_json("/login/passkey/options").get_json()
    answer = authenticator.get(options)
    assert with_passkey.post_json("/login/passkey", {"credential": answer}).status_code == 200
    with_passkey.auth.logout()
    assert with_passkey.post_json("/login/passkey", {"credential": answer}).status_code == 409


def test_an_unknown_passkey_is_refused(with_passkey: Browser) -> None:
    stranger = SoftAuthenticator(origin=ORIGIN)
    assert passwordless(with_passkey, stranger).status_code == 401


def test_a_passkey_from_another_origin_is_refused(
    with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    authenticator.origin = "https://evil.example"
    assert passwordless(with_passkey, authenticator).status_code == 401


def test_a_passkey_is_a_second_step(
    with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    assert with_passkey.auth.login("juniper").headers["Location"] == "/login/verify"
    options = with_passkey.post_json("/login/verify/passkey/options").get_json()
    assert [c["id"] for c in options["allowCredentials"]]  # only this account's passkeys
    answer = authenticator.get(options)
    response = with_passkey.post_json(
        "/login/verify/passkey", {"credential": answer, "trust": True}
    )
    assert response.status_code == 200
    assert with_passkey.client.get_cookie("sapling_trusted") is not None


def test_someone_elses_passkey_is_no_second_step(
    app: Flask, with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    create_user(app, "rowan")
    other = Browser(app.test_client())
    other.auth.login("rowan")
    rowan_key = SoftAuthenticator(origin=ORIGIN)
    assert register(other, rowan_key).status_code == 200
    assert with_passkey.auth.login("juniper").headers["Location"] == "/login/verify"
    options = with_passkey.post_json("/login/verify/passkey/options").get_json()
    response = with_passkey.post_json(
        "/login/verify/passkey", {"credential": rowan_key.get(options)}
    )
    assert response.status_code == 401


def test_reauthenticating_with_a_passkey(
    app: Flask, with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    from tests.support.two_step import make_stale

    passwordless(with_passkey, authenticator)
    make_stale(app)
    options = with_passkey.post_json("/reauth/passkey/options").get_json()
    response = with_passkey.post_json(
        "/reauth/passkey",
        {"credential": authenticator.get(options), "next": "/settings/password"},
    )
    assert response.get_json() == {"redirect": "/settings/password"}
    assert with_passkey.client.get("/settings/password").status_code == 200


def test_rename_and_remove(
    app: Flask, with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    passwordless(with_passkey, authenticator)
    with app.app_context():
        passkey_id = db.session.scalar(sa.select(Passkey.id))
    auth = with_passkey.auth
    assert (
        auth.post(
            f"/settings/two-factor/passkeys/{passkey_id}/rename",
            {"name": "Phone"},
        ).status_code
        == 303
    )
    assert "<h3>Phone</h3>" in with_passkey.client.get("/settings/two-factor/").get_data(
        as_text=True
    )
    assert (
        auth.post(
            f"/settings/two-factor/passkeys/{passkey_id}/rename",
            {"name": ""},
        ).status_code
        == 303
    )  # refused with a message
    assert auth.post(f"/settings/two-factor/passkeys/{passkey_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Passkey)) == 0


def test_nobody_can_touch_someone_elses_passkey(app: Flask, with_passkey: Browser) -> None:
    with app.app_context():
        passkey_id = db.session.scalar(sa.select(Passkey.id))
    create_user(app, "rowan")
    other = AuthActions(app.test_client())
    other.login("rowan")
    assert (
        other.post(
            f"/settings/two-factor/passkeys/{passkey_id}/rename",
            {"name": "Mine now"},
        ).status_code
        == 404
    )
    assert other.post(f"/settings/two-factor/passkeys/{passkey_id}/delete").status_code == 404


def test_a_registration_for_another_challenge_is_refused(client: FlaskClient, user: User) -> None:
    browser = Browser(client)
    browser.auth.login("juniper")
    authenticator = SoftAuthenticator(origin=ORIGIN)
    options = browser.post_json("/settings/two-factor/passkeys/options").get_json()
    options["challenge"] = "bm90IHRoZSBjaGFsbGVuZ2U"
    response = browser.post_json(
        "/settings/two-factor/passkeys",
        {"credential": authenticator.create(options), "name": "X"},
    )
    assert response.status_code == 400
    assert "could not be verified" in response.get_json()["error"]


def test_a_registration_without_a_challenge_is_refused(client: FlaskClient, user: User) -> None:
    browser = Browser(client)
    browser.auth.login("juniper")
    credential = SoftAuthenticator(origin=ORIGIN).create(
        {"user": {"id": "dXNlcg"}, "challenge": "Y2hhbGxlbmdl"}
    )
    response = browser.post_json(
        "/settings/two-factor/passkeys",
        {"credential": credential, "name": "X"},
    )
    assert response.status_code == 409


def test_registering_the_same_passkey_twice_is_refused_cleanly(
    with_passkey: Browser, authenticator: SoftAuthenticator
) -> None:
    passwordless(with_passkey, authenticator)
    response = register(with_passkey, authenticator, name="Again\x07")
    assert response.status_code == 400
    assert "already registered" in response.get_json()["error"]
