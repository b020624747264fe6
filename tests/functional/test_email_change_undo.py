"""The old address can always undo an email change: chained changes, and the attacker's moves.

The cast: juniper owns juniper@example.org (verified). The attacker knows her
password and moves the account to addresses of their own.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import (
    ActionToken,
    Passkey,
    RecoveryCode,
    SecurityEvent,
    SecurityEventKind,
    TokenPurpose,
    TotpFactor,
    TrustedBrowser,
    User,
    utcnow,
)
from tests.factories import PASSWORD, create_user, link_from
from tests.support.auth import AuthActions
from tests.support.passkeys import ORIGIN, Browser, register
from tests.support.smtp import Mailbox
from tests.support.soft_authenticator import SoftAuthenticator
from tests.support.two_step import code_at, enable_totp

VICTIM = "juniper@example.org"
FIRST, SECOND = "first@attacker.example", "second@attacker.example"
NEW_PASSWORD = "lichen on a north wall"


def account(app: Flask) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "juniper"))
        assert user is not None
        db.session.expunge(user)
        return user


def logged_in(client: FlaskClient) -> bool:
    return client.get("/settings/").status_code == 200


def ask_change(auth: AuthActions, new: str) -> None:
    response = auth.post("/settings/email", {"email": new, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)


def cancel_link(mailbox: Mailbox, address: str) -> str:
    notices = [m for m in mailbox.to(address) if "being changed" in m["Subject"]]
    return link_from(notices[-1], "/email/cancel/")


def confirm(auth: AuthActions, mailbox: Mailbox, address: str) -> None:
    link = link_from(mailbox.to(address)[-1], "/email/confirm/")
    assert auth.post(link).status_code == 303


def use(app: Flask, link: str) -> int:
    """Open and submit a link from a fresh browser, as someone reading their mail would."""
    client = app.test_client()
    page = client.get(link)
    if page.status_code != 200:
        return page.status_code
    return AuthActions(client).post(link).status_code


def events(app: Flask, kind: SecurityEventKind) -> list[SecurityEvent]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.kind == kind)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def attacker(app: Flask, user: User) -> AuthActions:
    """Signed in to juniper's account with her password, from a browser of their own."""
    actions = AuthActions(app.test_client())
    assert actions.login("juniper").status_code == 303
    return actions


def assert_restored(app: Flask, mailbox: Mailbox) -> None:
    """The account is juniper's again, and only her inbox can open it."""
    restored = account(app)
    assert (restored.email, restored.email_key, restored.pending_email) == (VICTIM, VICTIM, None)
    assert restored.email_verified_at is not None
    assert link_from(mailbox.to(VICTIM)[-1], "/password/reset/")
    [undone] = events(app, SecurityEventKind.EMAIL_CHANGE_CANCELLED)
    assert VICTIM in undone.detail


# --- The chained cases from the attack review ------------------------------------------------


def test_old_address_undoes_a_confirmed_change_with_a_second_one_pending(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    ask_change(attacker, SECOND)  # never confirmed; on 0.7.0 this killed the victim's link
    second_confirm = link_from(mailbox.to(SECOND)[-1], "/email/confirm/")

    assert use(app, victims_link) == 303
    assert_restored(app, mailbox)
    assert not logged_in(attacker.client)
    assert use(app, second_confirm) == 400
    # The attacker knows the password; it no longer opens the account.
    assert AuthActions(app.test_client()).login("juniper").status_code == 401


def test_old_address_undoes_two_confirmed_changes(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    ask_change(attacker, SECOND)
    confirm(attacker, mailbox, SECOND)
    assert account(app).email == SECOND

    assert use(app, victims_link) == 303
    assert_restored(app, mailbox)


def test_a_later_cancel_link_cannot_take_the_account_back(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    ask_change(attacker, SECOND)
    attackers_link = cancel_link(mailbox, FIRST)  # FIRST was verified on the account too

    assert use(app, victims_link) == 303
    client = app.test_client()
    assert client.get(attackers_link).status_code == 400
    assert AuthActions(client).post(attackers_link).status_code == 400
    assert account(app).email == VICTIM


def test_the_earliest_link_wins_even_if_the_attacker_uses_theirs_first(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    ask_change(attacker, SECOND)
    assert use(app, cancel_link(mailbox, FIRST)) == 303  # the attacker "restores" FIRST
    assert account(app).email == FIRST

    assert use(app, victims_link) == 303
    restored = account(app)
    assert (restored.email, restored.pending_email) == (VICTIM, None)
    # The reset link the attacker was mailed at FIRST died with the victim's undo.
    attackers_reset = link_from(mailbox.to(FIRST)[-1], "/password/reset/")
    assert app.test_client().get(attackers_reset).status_code == 400


def test_the_reset_link_lets_the_owner_back_in(
    app: Flask, client: FlaskClient, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    assert use(app, victims_link) == 303
    reset = link_from(mailbox.to(VICTIM)[-1], "/password/reset/")
    owner = AuthActions(client)
    assert owner.post(reset, {"new_password": NEW_PASSWORD}).status_code == 303
    assert owner.login("juniper", NEW_PASSWORD).status_code == 303


def test_undo_removes_what_was_added_since_and_keeps_what_was_there(
    app: Flask, user: User, mailbox: Mailbox
) -> None:
    intruder = Browser(app.test_client())
    intruder.auth.login("juniper")  # before the owner's passkey, so the password was enough
    owner = Browser(app.test_client())
    owner.auth.login("juniper")
    assert register(owner, SoftAuthenticator(origin=ORIGIN), "Juniper's laptop").status_code == 200

    ask_change(intruder.auth, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(intruder.auth, mailbox, FIRST)
    assert register(intruder, SoftAuthenticator(origin=ORIGIN)).status_code == 200
    secret, _ = enable_totp(intruder.auth)
    intruder.auth.logout()
    intruder.auth.login("juniper")
    intruder.auth.post("/login/verify", {"code": code_at(secret, 1), "trust": "y"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrustedBrowser)) == 1

    assert use(app, victims_link) == 303
    with app.app_context():
        names = list(db.session.scalars(sa.select(Passkey.name)))
        assert names == ["Juniper's laptop"]
        assert db.session.scalars(sa.select(TotpFactor)).all() == []
        assert db.session.scalars(sa.select(RecoveryCode)).all() == []
        live_trust = sa.select(TrustedBrowser).where(TrustedBrowser.revoked_at.is_(None))
        assert db.session.scalars(live_trust).all() == []
    assert not logged_in(owner.client)
    assert not logged_in(intruder.client)


def test_the_address_is_held_for_the_account_while_its_cancel_link_lives(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    """The attacker's counter-move: squat the freed address so the undo answers 409."""
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    squatter = AuthActions(app.test_client())
    response = squatter.post(
        "/signup", {"username": "squatter", "email": VICTIM.upper(), "password": PASSWORD}
    )
    assert response.status_code == 303  # the same answer as for a free address
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "squatter")) is None
    assert any("tried to sign up" in m["Subject"] for m in mailbox.to(VICTIM))

    assert use(app, victims_link) == 303
    assert account(app).email == VICTIM


def test_no_other_account_can_move_to_a_held_address(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    confirm(attacker, mailbox, FIRST)
    create_user(app, "rowan", "rowan@example.org")
    other = AuthActions(app.test_client())
    other.login("rowan")
    before = len(mailbox.to(VICTIM))
    ask_change(other, VICTIM)  # the same answer as for a free address
    [attempt] = mailbox.to(VICTIM)[before:]
    assert "tried to use your email" in attempt["Subject"]
    assert "/email/confirm/" not in str(attempt)


def test_a_pending_cancel_kills_every_outstanding_link(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    attacker.post("/password/forgot", {"email": VICTIM})
    old_reset = link_from(mailbox.to(VICTIM)[-1], "/password/reset/")
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    first_confirm = link_from(mailbox.to(FIRST)[-1], "/email/confirm/")

    assert use(app, victims_link) == 303
    client = app.test_client()
    assert client.get(old_reset).status_code == 400
    assert client.get(first_confirm).status_code == 400
    assert client.get(victims_link).status_code == 400  # used
    new_reset = link_from(mailbox.to(VICTIM)[-1], "/password/reset/")
    assert new_reset != old_reset and client.get(new_reset).status_code == 200
    assert not logged_in(attacker.client)
    assert_restored(app, mailbox)


def test_a_cancel_link_to_an_unverified_address_cannot_undo(app: Flask, mailbox: Mailbox) -> None:
    """Nobody proved the address: its link may stop a pending change, never take the account."""
    create_user(app, "juniper", VICTIM, verified=False)
    owner = AuthActions(app.test_client())
    owner.login("juniper")
    ask_change(owner, FIRST)
    link = cancel_link(mailbox, VICTIM)
    confirm(owner, mailbox, FIRST)
    assert app.test_client().get(link).status_code == 400
    assert account(app).email == FIRST
    assert logged_in(owner.client)


def test_a_cancel_link_to_an_unverified_address_stops_a_pending_change(
    app: Flask, mailbox: Mailbox
) -> None:
    create_user(app, "juniper", VICTIM, verified=False)
    owner = AuthActions(app.test_client())
    owner.login("juniper")
    ask_change(owner, FIRST)
    first_confirm = link_from(mailbox.to(FIRST)[-1], "/email/confirm/")
    assert use(app, cancel_link(mailbox, VICTIM)) == 303
    assert account(app).pending_email is None
    assert app.test_client().get(first_confirm).status_code == 400


def test_cancel_links_outlive_everything_but_their_expiry(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    victims_link = cancel_link(mailbox, VICTIM)
    confirm(attacker, mailbox, FIRST)
    attacker.post(
        "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    with app.app_context():
        token = db.session.scalar(
            sa.select(ActionToken).where(ActionToken.purpose == TokenPurpose.CANCEL_EMAIL_CHANGE)
        )
        assert token is not None and token.used_at is None
        token.expires_at = utcnow()
        db.session.commit()
    assert app.test_client().get(victims_link).status_code == 400


@pytest.mark.parametrize(
    "mangle",
    [
        lambda link: link[:-1] + ("A" if link[-1] != "A" else "B"),
        lambda link: link + "x" * 5000,
        lambda link: link.replace("/email/cancel/", "/email/cancel/%00"),
        lambda link: link + "\u0301",
    ],
)
def test_tampered_cancel_links_are_refused(
    app: Flask,
    attacker: AuthActions,
    mailbox: Mailbox,
    mangle,  # type: ignore[no-untyped-def]
) -> None:
    ask_change(attacker, FIRST)
    link = cancel_link(mailbox, VICTIM)
    response = app.test_client().get(mangle(link))
    assert 400 <= response.status_code < 500
    assert account(app).pending_email == FIRST


def test_a_cancel_without_csrf_changes_nothing(
    app: Flask, attacker: AuthActions, mailbox: Mailbox
) -> None:
    ask_change(attacker, FIRST)
    link = cancel_link(mailbox, VICTIM)
    assert app.test_client().post(link).status_code == 400
    assert account(app).pending_email == FIRST
