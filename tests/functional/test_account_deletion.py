"""Honest deletion: hidden at once, restorable for a while, then erased without a trace."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import (
    Base,
    DeletedUser,
    DeletionReason,
    Post,
    SecurityEvent,
    TrustedBrowser,
    User,
    UserSession,
    utcnow,
)
from app.services.privacy import lifecycle, purge
from app.services.security import recovery_codes, totp
from app.services.security.clients import Client
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox
from tests.support.stored_media import fetch_media, stored_files
from tests.support.two_step import make_stale

pytestmark = pytest.mark.media

VICTIM_IP = "198.51.100.77"
WITH_SUPPORT = pytest.param(
    "help@sapling.example", marks=pytest.mark.config(SUPPORT_EMAIL="help@sapling.example")
)


def client_for(app: Flask, username: str, ip: str = "203.0.113.5") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    AuthActions(client).login(username)
    return client


def delete_own_account(client: FlaskClient, username: str) -> int:
    token = csrf_token_for(client)
    response = client.post("/settings/delete", data={"csrf_token": token, "username": username})
    return response.status_code


def later(app: Flask, days: int) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    """Willow has posts with photos, a comment, likes, follows both ways and an avatar-less
    profile; Oak is someone else whose data must survive the purge."""
    willow, oak = create_user(app, "willow.deletes"), create_user(app, "oak.stays")
    follow(app, willow, oak)
    follow(app, oak, willow)
    willows = create_post(app, willow, "Willow's own #willowtag", photos=2)
    oaks = create_post(app, oak, "Oak's post")
    willow_client = client_for(app, "willow.deletes", VICTIM_IP)
    oak_client = client_for(app, "oak.stays")
    for client, post in ((willow_client, oaks), (oak_client, willows)):
        token = csrf_token_for(client)
        client.post(f"/p/{post.id}/like", data={"csrf_token": token, "on": "1"})
        client.post(f"/p/{post.id}/comments", data={"csrf_token": token, "body": "Lovely"})
    return {
        "willow": willow,
        "oak": oak,
        "willows": willows,
        "oaks": oaks,
        "willow_client": willow_client,
    }


def test_deleting_needs_a_fresh_login_and_the_username(
    app: Flask, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    assert delete_own_account(client, "someone.else") == 422
    make_stale(app)
    response = client.get("/settings/delete")
    assert response.status_code == 303 and response.headers["Location"].startswith("/reauth")


@pytest.mark.parametrize("typed", ["@willow.deletes", " @Willow.Deletes ", "＠willow.deletes"])
def test_the_username_may_be_typed_as_the_hint_shows_it(
    world: dict[str, object], typed: str
) -> None:
    """The form's hint shows "@willow.deletes"; typing it as shown, any case, is accepted."""
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    page = client.get("/settings/delete").get_data(as_text=True)
    assert "@willow.deletes" in page
    assert delete_own_account(client, typed) == 303


@pytest.mark.parametrize("typed", ["@@willow.deletes", "@oak.stays", "willow.deletes@"])
def test_only_ones_own_username_deletes(world: dict[str, object], typed: str) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    token = csrf_token_for(client)
    response = client.post("/settings/delete", data={"csrf_token": token, "username": typed})
    assert response.status_code == 422
    assert "That is not your username." in response.get_data(as_text=True)


def test_a_deleted_account_disappears_at_once_and_its_sessions_end(
    app: Flask, mailbox: Mailbox, world: dict[str, object]
) -> None:
    client, willows = world["willow_client"], world["willows"]
    assert isinstance(client, FlaskClient) and isinstance(willows, Post)
    other_device = client_for(app, "willow.deletes")
    assert delete_own_account(client, "Willow.Deletes") == 303
    visitor = app.test_client()
    assert visitor.get("/@willow.deletes").status_code == 404
    assert visitor.get(f"/p/{willows.id}").status_code == 404
    assert f"/p/{willows.id}" not in visitor.get("/explore").get_data(as_text=True)
    assert "willow.deletes" not in visitor.get("/search?q=willow").get_data(as_text=True)
    oak = client_for(app, "oak.stays")
    oaks_page = oak.get(f"/p/{world['oaks'].id}")  # type: ignore[attr-defined]
    assert "Lovely" not in oaks_page.get_data(as_text=True)
    for device in (client, other_device):
        assert device.get("/settings/").status_code in (302, 303)
    willow_id = world["willow"].id  # type: ignore[attr-defined]
    with app.app_context():
        live = sa.select(UserSession.id).where(
            UserSession.revoked_at.is_(None), UserSession.user_id == willow_id
        )
        assert db.session.scalars(live).all() == []
        trusted = sa.select(TrustedBrowser.id).where(TrustedBrowser.revoked_at.is_(None))
        assert db.session.scalars(trusted).all() == []
    [mail] = [m for m in mailbox.to("willow.deletes@example.org") if "deleted" in m["Subject"]]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "log in with your username or email and password" in text


def deletion_mail(mailbox: Mailbox) -> tuple[str, str]:
    [mail] = [m for m in mailbox.to("willow.deletes@example.org") if "deleted" in m["Subject"]]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


def test_the_deletion_email_points_to_logging_in_not_to_a_no_reply_address(
    app: Flask, mailbox: Mailbox, world: dict[str, object]
) -> None:
    """Mail comes from a no-reply sender: the way back is the login page, and without a
    SUPPORT_EMAIL the message names no one to write to."""
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    assert delete_own_account(client, "willow.deletes") == 303
    login_url = app.config["BASE_URL"] + "/login"
    for body in deletion_mail(mailbox):
        assert "reply" not in body.casefold()
        assert "If you did not ask for this" in body
        assert login_url in body
        assert "change your password" in body
        assert "write to" not in body


@pytest.mark.config(SUPPORT_EMAIL="help@sapling.example")
def test_the_deletion_email_names_the_support_address_when_there_is_one(
    app: Flask, mailbox: Mailbox, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    assert delete_own_account(client, "willow.deletes") == 303
    text, html = deletion_mail(mailbox)
    assert "write to help@sapling.example" in text
    assert 'href="mailto:help@sapling.example"' in html
    assert "reply" not in text.casefold() + html.casefold()


@pytest.mark.parametrize("support", [None, WITH_SUPPORT])
def test_a_moderators_removal_email_never_asks_for_a_reply(
    app: Flask, mailbox: Mailbox, world: dict[str, object], support: str | None
) -> None:
    """Logging in cannot undo this; the only way is a person, when the site names one."""

    with app.test_request_context():
        willow = db.session.get(User, world["willow"].id)  # type: ignore[attr-defined]
        assert willow is not None
        lifecycle.request_deletion(willow, DeletionReason.REMOVED_BY_MODERATOR)
        db.session.commit()
    for body in deletion_mail(mailbox):
        assert "reply" not in body.casefold()
        assert "log in" not in body.casefold()  # logging in does not bring this one back
        assert ("help@sapling.example" in body) is (support is not None)


def test_logging_in_during_the_grace_period_restores_everything(
    app: Flask, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    delete_own_account(client, "willow.deletes")
    response = AuthActions(client).login("willow.deletes")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your account is restored" in page
    assert app.test_client().get("/@willow.deletes").status_code == 200


def test_an_account_removed_by_a_moderator_cannot_log_itself_back(
    app: Flask, world: dict[str, object]
) -> None:
    with app.test_request_context():
        willow = db.session.get(User, world["willow"].id)  # type: ignore[attr-defined]
        assert willow is not None
        lifecycle.request_deletion(willow, DeletionReason.REMOVED_BY_MODERATOR)
        db.session.commit()
    client = app.test_client()
    response = AuthActions(client).login("willow.deletes")
    assert response.headers["Location"] == "/login"
    assert "couldn&#39;t log you in" in client.get("/login").get_data(as_text=True)


def add_two_step_login(app: Flask, user: object) -> None:
    """An authenticator app and recovery codes, made by the services, after the login."""
    with app.test_request_context():
        account = db.session.get(User, user.id)  # type: ignore[attr-defined]
        assert account is not None
        secret = totp.start_enrolment(account)
        client = Client(VICTIM_IP, "Test device")
        totp.confirm_enrolment(account, pyotp.TOTP(secret).now(), client)
        recovery_codes.generate(account, client)
        db.session.commit()


def needles(app: Flask, world: dict[str, object]) -> dict[str, str]:
    with app.app_context():
        willow = db.session.get(User, world["willow"].id)  # type: ignore[attr-defined]
        assert willow is not None
        keys = db.session.scalars(
            sa.select(sa.literal_column("storage_key"))
            .select_from(sa.table("photos", sa.column("storage_key"), sa.column("post_id")))
            .where(sa.column("post_id") == world["willows"].id)  # type: ignore[attr-defined]
        ).all()
    found = {"username": willow.username, "email": willow.email, "ip": VICTIM_IP}
    found.update({f"file {n}": key for n, key in enumerate(keys)})
    return found


def scan(app: Flask, text: str) -> list[str]:
    """Every text column of every table, and every stored file's name, holding ``text``."""
    hits = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.String | sa.Text):
                    query = (
                        sa.select(sa.func.count()).select_from(table).where(column.contains(text))
                    )
                    if db.session.scalar(query):
                        hits.append(f"{table.name}.{column.name}")
    hits += [str(file) for file in stored_files(app) if text in str(file)]
    return hits


def test_after_the_grace_period_the_purge_leaves_no_trace(
    app: Flask, runner: FlaskCliRunner, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    add_two_step_login(app, world["willow"])
    secrets = needles(app, world)
    delete_own_account(client, "willow.deletes")
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run", "--now", later(app, 31)])
    assert result.exit_code == 0, result.output
    assert "1 deleted accounts" in result.output
    for what, text in secrets.items():
        assert scan(app, text) == [], what
    with app.app_context():
        [record] = db.session.scalars(sa.select(DeletedUser)).all()
        assert record.reason == DeletionReason.SELF_DELETED
        oak = db.session.get(User, world["oak"].id)  # type: ignore[attr-defined]
        oaks = db.session.get(Post, world["oaks"].id)  # type: ignore[attr-defined]
        assert oak is not None and oaks is not None
        assert (oak.follower_count, oak.following_count, oak.post_count) == (0, 0, 1)
        assert (oaks.like_count, oaks.comment_count) == (0, 0)
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SecurityEvent)
            .where(SecurityEvent.user_id == oak.id)
        )
    # Oak's photo is still there and served.
    key = world["oaks"].photos[0].storage_key  # type: ignore[attr-defined]
    assert fetch_media(app.test_client(), f"/media/{key}/display.webp")[0] == 200


def test_a_purge_interrupted_halfway_completes_on_the_next_run(
    app: Flask, runner: FlaskCliRunner, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    add_two_step_login(app, world["willow"])
    secrets = needles(app, world)
    delete_own_account(client, "willow.deletes")
    # The process dies after the files went and before the rows did.
    with app.app_context():
        willow = db.session.get(User, world["willow"].id)  # type: ignore[attr-defined]
        assert willow is not None
        assert purge.erase_files(willow) == 2
        db.session.rollback()
    with app.app_context():
        first = runner.invoke(args=["maintenance", "run", "--now", later(app, 31)])
        again = runner.invoke(args=["maintenance", "run", "--now", later(app, 32)])
    assert "1 deleted accounts" in first.output
    assert "0 deleted accounts" in again.output
    for what, text in secrets.items():
        assert scan(app, text) == [], what
    with app.app_context():
        assert len(db.session.scalars(sa.select(DeletedUser)).all()) == 1


def test_nothing_is_purged_before_the_grace_period_ends(
    app: Flask, runner: FlaskCliRunner, world: dict[str, object]
) -> None:
    client = world["willow_client"]
    assert isinstance(client, FlaskClient)
    delete_own_account(client, "willow.deletes")
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run", "--now", later(app, 29)])
    assert "0 deleted accounts" in result.output
    assert AuthActions(app.test_client()).login("willow.deletes").status_code == 303


def test_a_clock_that_is_not_a_time_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run", "--now", "next tuesday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output
