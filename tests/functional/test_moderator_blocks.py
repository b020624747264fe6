"""Moderator blocks: no way in while they last, nothing shown, and they lift by themselves.

Rowan is blocked by Warden; Fern follows Rowan and looks for Rowan's posts.
The block is applied through the admin pages, as a moderator would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import DeletionReason, User, utcnow
from app.services.moderation import decisions
from app.views.filters import datetime_label
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions
from tests.support.moderation import moderate, signed_in, stored_user
from tests.support.smtp import Mailbox

WITH_SUPPORT = pytest.param(
    "help@sapling.example", marks=pytest.mark.config(SUPPORT_EMAIL="help@sapling.example")
)
REASON = "Posting other people's photos"


@pytest.fixture
def rowan(app: Flask) -> User:
    create_user(app, "warden", admin=True)
    rowan = create_user(app, "rowan")
    fern = create_user(app, "fern")
    follow(app, fern, rowan)
    create_post(app, rowan, "Lichen on granite #lichen")
    return rowan


def block(app: Flask, days: str = "3", *, permanent: bool = False) -> None:
    data = {"block_days": days, "block_reason": REASON}
    if permanent:
        data["block_permanent"] = "y"
    status, page = moderate(app, "/admin/users/rowan/block", data)
    assert status == 303, page


def set_block(app: Flask, user: User, till: timedelta | None, *, permanent: bool = False) -> None:
    """A block written straight to the row: no session ends, as after an operator's SQL."""
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(
                blocked_till=utcnow() + till if till is not None else None,
                blocked_permanently=permanent,
                block_reason=REASON,
            )
        )
        db.session.commit()


def login_page(app: Flask, password: str | None = None) -> tuple[int, str]:
    client = app.test_client()
    response = AuthActions(client).login("rowan", *([password] if password else []))
    return response.status_code, response.get_data(as_text=True)


def test_a_blocked_member_is_told_until_when_and_why_after_the_right_password_only(
    app: Flask, rowan: User
) -> None:
    block(app, "3")
    until = stored_user(app, rowan.id).blocked_till
    assert until is not None
    status, page = login_page(app)
    assert status == 403
    assert f"blocked this account until {datetime_label(until)}" in page
    assert "Posting other people&#39;s photos" in page
    # A wrong password learns nothing about the block.
    status, page = login_page(app, "not the password at all")
    assert status == 401
    assert "blocked" not in page and "Posting other" not in page
    assert "don&#39;t match" in page


def test_a_block_ends_every_session(app: Flask, rowan: User) -> None:
    logged_in = signed_in(app, "rowan")
    assert logged_in.get("/settings/").status_code == 200
    block(app)
    response = logged_in.get("/settings/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_blocked_accounts_content_is_hidden_from_everyone(app: Flask, rowan: User) -> None:
    post_id = create_post(app, rowan, "Second look #lichen").id
    fern = signed_in(app, "fern")
    assert "Second look" in fern.get("/home").get_data(as_text=True)
    block(app)
    for client in (fern, signed_in(app, None)):
        assert client.get("/@rowan").status_code == 404
        assert client.get(f"/p/{post_id}").status_code == 404
        for path in ("/explore", "/tags/lichen"):
            assert "Second look" not in client.get(path).get_data(as_text=True), path
    assert "Second look" not in fern.get("/home").get_data(as_text=True)


def test_the_blocked_person_is_emailed_until_when_and_why(
    app: Flask, mailbox: Mailbox, rowan: User
) -> None:
    block(app, "30")
    until = stored_user(app, rowan.id).blocked_till
    assert until is not None
    [message] = mailbox.to("rowan@example.org")
    assert message["Subject"] == "Your Sapling account is blocked"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"until {datetime_label(until)}" in text and REASON in text


@pytest.mark.parametrize("support", [None, WITH_SUPPORT])
def test_the_block_email_never_asks_for_a_reply_to_a_no_reply_sender(
    app: Flask, mailbox: Mailbox, rowan: User, support: str | None
) -> None:
    block(app, "30")
    [message] = mailbox.to("rowan@example.org")
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,)).get_content()  # type: ignore[union-attr]
        assert "reply" not in body.casefold()
        assert ("help@sapling.example" in body) is (support is not None)


def test_a_permanent_block_says_so_and_never_lifts(
    app: Flask, runner: FlaskCliRunner, rowan: User
) -> None:
    block(app, permanent=True)
    status, page = login_page(app)
    assert status == 403 and "blocked this account permanently" in page
    with app.app_context():
        assert "lifted 0 expired blocks" in runner.invoke(args=["maintenance", "run"]).output
        user = db.session.get(User, rowan.id)
        assert user is not None
        far_future = utcnow() + timedelta(days=365 * 50)
        assert decisions.login_refusal(user, far_future) is not None
        assert user.blocked_permanently


def test_the_second_step_and_passkeys_are_refused_while_blocked(
    app: Flask, client: FlaskClient, rowan: User
) -> None:
    from tests.support.two_step import code_at, enable_totp

    auth = AuthActions(client)
    auth.login("rowan")
    secret, _ = enable_totp(auth)
    auth.logout()
    with app.app_context():
        db.session.execute(sa.text("UPDATE totp_factors SET last_used_step = 0"))
        db.session.commit()
    assert auth.login("rowan").headers["Location"] == "/login/verify"
    set_block(app, rowan, timedelta(days=2))  # blocked between the two steps
    response = auth.post("/login/verify", {"code": code_at(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/settings/").status_code == 302
    assert "blocked this account until" in client.get("/login").get_data(as_text=True)


def test_a_passkey_cannot_sign_a_blocked_member_in(app: Flask, rowan: User) -> None:
    from tests.support.passkeys import ORIGIN, Browser, passwordless, register
    from tests.support.soft_authenticator import SoftAuthenticator

    authenticator = SoftAuthenticator(origin=ORIGIN)
    browser = Browser(app.test_client())
    browser.auth.login("rowan")
    assert register(browser, authenticator).status_code == 200
    browser.auth.logout()
    block(app)
    response = passwordless(browser, authenticator)
    assert response.status_code == 403
    assert REASON in response.get_json()["error"]
    assert browser.client.get("/settings/").status_code == 302


def test_an_expired_block_lifts_at_login(app: Flask, rowan: User) -> None:
    block(app, "3")
    set_block(app, rowan, timedelta(seconds=-1))
    status, _ = login_page(app)
    assert status == 303
    user = stored_user(app, rowan.id)
    assert user.blocked_till is None and user.block_reason == ""
    assert signed_in(app, "fern").get("/@rowan").status_code == 200


def test_maintenance_lifts_expired_blocks_and_keeps_the_rest(
    app: Flask, runner: FlaskCliRunner, rowan: User
) -> None:
    still = create_user(app, "still")
    banned = create_user(app, "banned")
    set_block(app, rowan, timedelta(minutes=-5))
    set_block(app, still, timedelta(days=1))
    set_block(app, banned, None, permanent=True)
    assert (
        signed_in(app, "fern").get("/@rowan").status_code == 200
    )  # an expired block hides nothing
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert "lifted 1 expired blocks;" in result.output
    lifted, kept, permanent = (stored_user(app, u.id) for u in (rowan, still, banned))
    assert lifted.blocked_till is None and lifted.block_reason == ""
    assert kept.blocked_till is not None and kept.block_reason == REASON
    assert permanent.blocked_permanently and permanent.block_reason == REASON


def test_an_account_removed_by_a_moderator_cannot_log_in(app: Flask, rowan: User) -> None:
    logged_in = signed_in(app, "rowan")
    status, _ = moderate(app, "/admin/users/rowan/delete", {"delete_reason": "Spam ring"})
    assert status == 303
    user = stored_user(app, rowan.id)
    assert user.deletion_reason == DeletionReason.REMOVED_BY_MODERATOR.value
    assert logged_in.get("/settings/").status_code == 302
    assert signed_in(app, "fern").get("/@rowan").status_code == 404
    # The right password does not bring it back (finish_login refuses it, as lifecycle says).
    client = app.test_client()
    response = AuthActions(client).login("rowan")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/settings/").status_code == 302
    assert stored_user(app, rowan.id).deletion_requested_at is not None
