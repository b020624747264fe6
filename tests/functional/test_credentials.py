"""Changing the password, the email address and the username; recovering a forgotten password."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import ActionToken, SecurityEvent, User, utcnow
from tests.factories import PASSWORD, create_user, link_from
from tests.support.auth import AuthActions
from tests.support.smtp import Mailbox

NEW_PASSWORD = "lichen on a north wall"


def logged_in(client: FlaskClient) -> bool:
    return client.get("/settings/").status_code == 200


def kinds(app: Flask) -> list[str]:
    with app.app_context():
        return [
            str(k)
            for k in db.session.scalars(sa.select(SecurityEvent.kind).order_by(SecurityEvent.id))
        ]


def stored_user(app: Flask) -> User:
    with app.app_context():
        user = db.session.scalar(
            sa.select(User).where(User.id == sa.select(sa.func.min(User.id)).scalar_subquery())
        )
        assert user is not None
        db.session.expunge(user)
        return user


# --- Changing the password ------------------------------------------------------------------


def test_password_change_needs_the_current_password(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post(
        "/settings/password", {"current_password": "not it at all", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)


def test_password_change_explains_a_weak_new_password(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post(
        "/settings/password", {"current_password": PASSWORD, "new_password": "juniper-rocks-123"}
    )
    assert response.status_code == 422
    assert "must not contain your username" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions_keeps_this_one_and_tells_the_owner(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    other = AuthActions(app.test_client())
    other.login("juniper")
    auth.login("juniper")
    response = auth.post(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert logged_in(auth.client)
    assert not logged_in(other.client)
    assert "password_changed" in kinds(app)
    assert any("password was changed" in m["Subject"] for m in mailbox.to("juniper@example.org"))
    auth.logout()
    assert auth.login("juniper", PASSWORD).status_code == 401
    assert auth.login("juniper", NEW_PASSWORD).status_code == 303


# --- Forgotten password -------------------------------------------------------------------


def request_reset(auth: AuthActions, email: str) -> str:
    response = auth.post("/password/forgot", {"email": email})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_forgot_password_answers_the_same_for_everyone(
    auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    known = request_reset(auth, "juniper@example.org")
    unknown = request_reset(auth, "nobody@example.org")
    strip = lambda text: text.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(mailbox.to("juniper@example.org")) == 1
    assert mailbox.to("nobody@example.org") == []


def test_reset_link_is_single_use_and_ends_every_session(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    victim_browser = AuthActions(app.test_client())
    victim_browser.login("juniper")
    old_cookie = victim_browser.client.get_cookie("sapling_auth").value  # type: ignore[union-attr]

    request_reset(auth, "juniper@example.org")
    link = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    assert client.get(link).status_code == 200
    response = auth.post(link, {"new_password": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login"

    # The old session cookie no longer works, even replayed.
    replay = app.test_client()
    replay.set_cookie("sapling_auth", old_cookie)
    assert not logged_in(replay)
    assert not logged_in(victim_browser.client)
    assert client.get(link).status_code == 400  # used
    assert any("was reset" in m["Subject"] for m in mailbox.to("juniper@example.org"))
    assert auth.login("juniper", NEW_PASSWORD).status_code == 303


def test_reset_link_expires_after_an_hour(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    request_reset(auth, "juniper@example.org")
    link = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    with app.app_context():
        [token] = db.session.scalars(sa.select(ActionToken))
        assert token.expires_at - token.created_at == timedelta(hours=1)
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(link).status_code == 400


def test_newer_link_or_password_change_invalidates_a_reset_link(
    auth: AuthActions, client: FlaskClient, user: User, mailbox: Mailbox
) -> None:
    request_reset(auth, "juniper@example.org")
    first = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    request_reset(auth, "juniper@example.org")
    second = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    auth.login("juniper")
    auth.post("/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert client.get(second).status_code == 400


def test_reset_form_refuses_a_weak_password_and_keeps_the_link(
    auth: AuthActions, client: FlaskClient, user: User, mailbox: Mailbox
) -> None:
    request_reset(auth, "juniper@example.org")
    link = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    assert auth.post(link, {"new_password": "short"}).status_code == 422
    assert client.get(link).status_code == 200


# --- Changing the email address ---------------------------------------------------------


def test_email_change_waits_for_the_new_address_and_tells_the_old(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")
    response = auth.post("/settings/email", {"email": "juniper@new.example", "password": PASSWORD})
    assert response.status_code == 303
    assert stored_user(app).email == "juniper@example.org"  # nothing changed yet
    [notice] = [m for m in mailbox.to("juniper@example.org") if "being changed" in m["Subject"]]
    assert link_from(notice, "/email/cancel/")
    confirm = link_from(mailbox.to("juniper@new.example")[-1], "/email/confirm/")
    assert auth.post(confirm).status_code == 303
    changed = stored_user(app)
    assert (changed.email, changed.email_key, changed.pending_email) == (
        "juniper@new.example",
        "juniper@new.example",
        None,
    )
    assert "email_changed" in kinds(app)
    assert auth.client.get(confirm).status_code == 400  # single use


def test_email_change_needs_the_password(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post(
        "/settings/email", {"email": "juniper@new.example", "password": "wrong password here"}
    )
    assert response.status_code == 422


def test_cancel_from_the_old_address_stops_a_pending_change(
    app: Flask, auth: AuthActions, client: FlaskClient, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")
    auth.post("/settings/email", {"email": "juniper@new.example", "password": PASSWORD})
    cancel = link_from(mailbox.to("juniper@example.org")[-1], "/email/cancel/")
    confirm = link_from(mailbox.to("juniper@new.example")[-1], "/email/confirm/")
    assert AuthActions(app.test_client()).post(cancel).status_code == 303
    assert stored_user(app).pending_email is None
    assert client.get(confirm).status_code == 400


def test_cancel_after_the_change_undoes_it_and_signs_everyone_out(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")
    auth.post("/settings/email", {"email": "attacker@evil.example", "password": PASSWORD})
    cancel = link_from(mailbox.to("juniper@example.org")[-1], "/email/cancel/")
    auth.post(link_from(mailbox.to("attacker@evil.example")[-1], "/email/confirm/"))
    assert stored_user(app).email == "attacker@evil.example"
    assert AuthActions(app.test_client()).post(cancel).status_code == 303
    assert stored_user(app).email == "juniper@example.org"
    assert not logged_in(auth.client)


def test_email_change_to_a_taken_address_reveals_nothing(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    create_user(app, "rowan", "rowan@example.org")
    auth.login("juniper")
    response = auth.post("/settings/email", {"email": "ROWAN@example.org", "password": PASSWORD})
    assert response.status_code == 303  # the same answer as for a free address
    [warning] = mailbox.to("rowan@example.org")
    assert "tried to use your email" in warning["Subject"]
    assert "/email/confirm/" not in warning.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


# --- Changing the username --------------------------------------------------------------


def test_old_username_is_held_for_its_owner(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    assert auth.post("/settings/username", {"username": "Juniper.Berry"}).status_code == 303
    assert stored_user(app).username == "juniper.berry"

    newcomer = AuthActions(app.test_client())
    response = newcomer.post(
        "/signup", {"username": "juniper", "email": "n@example.org", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert "That username is taken." in response.get_data(as_text=True)

    assert (
        auth.post("/settings/username", {"username": "juniper"}).status_code == 303
    )  # taking it back
    assert stored_user(app).username == "juniper"


def test_hold_lapses_after_14_days(app: Flask, auth: AuthActions, user: User) -> None:
    from app.models import UsernameHold

    auth.login("juniper")
    auth.post("/settings/username", {"username": "juniper.berry"})
    with app.app_context():
        [hold] = db.session.scalars(sa.select(UsernameHold))
        assert timedelta(days=13, hours=23) < hold.held_until - utcnow() <= timedelta(days=14)
        hold.held_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    newcomer = AuthActions(app.test_client())
    response = newcomer.post(
        "/signup", {"username": "juniper", "email": "n@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303


@pytest.mark.parametrize("new", ["admin", "ab", "juniper", "x" * 100])
def test_bad_username_changes_are_refused(auth: AuthActions, user: User, new: str) -> None:
    auth.login("juniper")
    assert auth.post("/settings/username", {"username": new}).status_code == 422


@pytest.mark.config(RATELIMIT_USERNAME_CHANGE="1 per day")
def test_username_changes_are_rate_limited(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    assert auth.post("/settings/username", {"username": "juniper.one"}).status_code == 303
    assert auth.post("/settings/username", {"username": "juniper.two"}).status_code == 429


def test_changing_to_the_same_address_is_refused(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post("/settings/email", {"email": "JUNIPER@example.org", "password": PASSWORD})
    assert response.status_code == 422
    assert "already your email address" in response.get_data(as_text=True)


def test_confirming_an_address_someone_took_meanwhile_fails_cleanly(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")
    auth.post("/settings/email", {"email": "shared@example.org", "password": PASSWORD})
    confirm = link_from(mailbox.to("shared@example.org")[-1], "/email/confirm/")
    create_user(app, "rowan", "shared@example.org")
    response = auth.post(confirm)
    assert response.status_code == 409
    assert "Another account now uses that email address." in response.get_data(as_text=True)
    assert stored_user(app).email == "juniper@example.org"


def test_forgot_password_with_a_malformed_address_reveals_nothing(
    auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    text = request_reset(auth, "not-an-address")
    assert "If an account uses that address" in text
    assert mailbox.messages == []


def test_email_change_to_a_malformed_address_is_refused(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post("/settings/email", {"email": "nope@", "password": PASSWORD})
    assert response.status_code == 422
    assert "Enter a valid email address" in response.get_data(as_text=True)


def test_a_completed_reset_also_confirms_the_address(
    app: Flask, auth: AuthActions, mailbox: Mailbox
) -> None:
    create_user(app, "sprout", "sprout@example.org", verified=False)
    request_reset(auth, "sprout@example.org")
    link = link_from(mailbox.to("sprout@example.org")[-1], "/password/reset/")
    assert auth.post(link, {"new_password": NEW_PASSWORD}).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_verified_at).where(User.username == "sprout"))
