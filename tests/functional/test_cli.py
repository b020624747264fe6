"""Operator commands: users, the outbox worker, maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import (
    ActionToken,
    DeletionReason,
    OutboxMessage,
    SecurityEvent,
    User,
    UsernameHold,
    UserSession,
    utcnow,
)
from app.services.operations import mailer
from app.services.privacy import lifecycle
from scripts.loopback import free_port
from tests.factories import PASSWORD, create_user, link_from
from tests.support.auth import AuthActions
from tests.support.smtp import Mailbox, SMTPServer


def invoke(app: Flask, runner: FlaskCliRunner, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    with app.app_context():  # `flask` pushes one; the test runner does not for nested groups
        return runner.invoke(args=list(args), input=stdin)


def test_users_create_list_verify_and_set_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = invoke(
        app,
        runner,
        "users",
        "create",
        "Rowan",
        "rowan@example.org",
        "--admin",
        "--unverified",
        "--password",
        PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert "Created @rowan (admin)" in result.output

    listing = invoke(app, runner, "users", "list")
    assert "@rowan\trowan@example.org" in listing.output and "admin, unverified" in listing.output

    assert invoke(app, runner, "users", "verify-email", "rowan").exit_code == 0
    assert "unverified" not in invoke(app, runner, "users", "list").output

    client = AuthActions(app.test_client())
    client.login("rowan")
    result = invoke(
        app, runner, "users", "set-password", "rowan", "--password", "a brand new passphrase"
    )
    assert result.exit_code == 0, result.output
    assert client.client.get("/settings/").status_code == 302  # every session ended
    assert client.login("rowan", "a brand new passphrase").status_code == 303


def test_users_list_marks_accounts_waiting_for_deletion(app: Flask, runner: FlaskCliRunner) -> None:
    create_user(app, "rowan")
    leaving, removed = create_user(app, "hazel"), create_user(app, "bramble")
    with app.app_context():
        asked = utcnow() - timedelta(days=2)
        for user, reason in (
            (leaving, DeletionReason.SELF_DELETED),
            (removed, DeletionReason.REMOVED_BY_MODERATOR),
        ):
            lifecycle.request_deletion(db.session.get(User, user.id), reason, now=asked)
        db.session.commit()
    lines = {
        line.split("\t")[1]: line
        for line in invoke(app, runner, "users", "list").output.splitlines()
    }
    erased_on = f"{asked + app.config['ACCOUNT_DELETION_GRACE']:%Y-%m-%d}"
    assert lines["@hazel"].endswith(
        f"deleted by its owner, erased on {erased_on} unless they log in"
    )
    assert lines["@bramble"].endswith(f"removed by a moderator, erased on {erased_on}")
    assert "erased" not in lines["@rowan"]


def test_users_commands_refuse_bad_input_clearly(app: Flask, runner: FlaskCliRunner) -> None:
    create_user(app, "rowan")
    taken = invoke(
        app, runner, "users", "create", "other", "rowan@example.org", "--password", PASSWORD
    )
    assert taken.exit_code != 0 and "already exists" in taken.output
    reserved = invoke(
        app, runner, "users", "create", "admin", "a@example.org", "--password", PASSWORD
    )
    assert reserved.exit_code != 0 and "reserved" in reserved.output
    weak = invoke(app, runner, "users", "set-password", "rowan", "--password", "qwerty123456")
    assert weak.exit_code != 0 and "commonly used" in weak.output
    missing = invoke(app, runner, "users", "verify-email", "ghost")
    assert missing.exit_code != 0 and "No user 'ghost'" in missing.output


def test_set_password_revokes_reset_links_records_and_tells_the_owner(
    app: Flask, runner: FlaskCliRunner, mailbox: Mailbox
) -> None:
    create_user(app, "rowan")
    web = AuthActions(app.test_client())
    assert web.post("/password/forgot", {"email": "rowan@example.org"}).status_code == 200
    reset = link_from(mailbox.to("rowan@example.org")[-1], "/password/reset/")

    new_password = "a brand new passphrase"
    result = invoke(app, runner, "users", "set-password", "rowan", "--password", new_password)
    assert result.exit_code == 0, result.output

    assert app.test_client().get(reset).status_code == 400  # mailed before: dead now
    [notice] = [m for m in mailbox.to("rowan@example.org") if "password was set" in m["Subject"]]
    assert "operator" in notice.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert web.login("rowan", new_password).status_code == 303
    timeline = web.client.get("/settings/security").get_data(as_text=True)
    assert "Password set by an operator" in timeline


def test_set_password_refuses_a_password_with_the_username(
    app: Flask, runner: FlaskCliRunner
) -> None:
    create_user(app, "rowan")
    result = invoke(app, runner, "users", "set-password", "rowan", "--password", "rowan-rowan-x")
    assert result.exit_code != 0 and "must not contain your username" in result.output
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(SecurityEvent.kind)))
    assert "password_set_by_operator" not in kinds


def test_verify_email_records_revokes_links_and_tells_the_owner(
    app: Flask, runner: FlaskCliRunner, mailbox: Mailbox
) -> None:
    create_user(app, "rowan", verified=False)
    web = AuthActions(app.test_client())
    web.login("rowan")
    web.post("/verify/resend", {"next": "/"})
    link = link_from(mailbox.to("rowan@example.org")[-1], "/verify/")

    result = invoke(app, runner, "users", "verify-email", "rowan")
    assert result.exit_code == 0, result.output

    assert app.test_client().get(link).status_code == 400
    with app.app_context():
        events = list(db.session.scalars(sa.select(SecurityEvent)))
        [verified] = [e for e in events if e.kind == "email_verified"]
    assert "operator" in verified.detail and verified.device_label == "Server"
    assert any("address was confirmed" in m["Subject"] for m in mailbox.to("rowan@example.org"))
    again = invoke(app, runner, "users", "verify-email", "rowan")
    assert again.exit_code == 0 and "already confirmed" in again.output


def queue_message(app: Flask) -> None:
    with app.test_request_context():
        app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
        mailer.queue("rowan@example.org", "email_change_attempt", "Test message", user=None)
        db.session.commit()


def test_outbox_survives_an_smtp_outage_and_delivers_later(
    app: Flask, runner: FlaskCliRunner
) -> None:
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False
    )  # nobody listens
    queue_message(app)
    result = invoke(app, runner, "outbox", "send")
    assert "Sent 0, failed 1." in result.output
    with app.app_context():
        [message] = db.session.scalars(sa.select(OutboxMessage))
        assert message.sent_at is None and message.attempts == 1 and message.last_error
        assert message.next_attempt_at > utcnow()  # backs off before retrying
        message.next_attempt_at = utcnow()
        db.session.commit()

    with SMTPServer() as server:
        app.config["MAIL_PORT"] = server.port
        result = invoke(app, runner, "outbox", "send")
        assert "Sent 1, failed 0." in result.output
        [delivered] = server.mailbox.to("rowan@example.org")
        assert delivered["Subject"] == "Test message"
    assert "Sent 0, failed 0." in invoke(app, runner, "outbox", "send").output  # never twice


def test_backoff_grows_with_each_failure(app: Flask, runner: FlaskCliRunner) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    queue_message(app)
    waits = []
    for _ in range(3):
        invoke(app, runner, "outbox", "send")
        with app.app_context():
            [message] = db.session.scalars(sa.select(OutboxMessage))
            waits.append(message.next_attempt_at - utcnow())
            message.next_attempt_at = utcnow()
            db.session.commit()
    assert waits[0] < waits[1] < waits[2]


def test_without_a_mail_server_messages_are_saved_as_eml_files(
    app: Flask, runner: FlaskCliRunner
) -> None:
    app.config["MAIL_SERVER"] = None
    queue_message(app)
    assert "Sent 1, failed 0." in invoke(app, runner, "outbox", "send").output
    from pathlib import Path

    [eml] = Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")
    assert "Subject: Test message" in eml.read_text()


def test_maintenance_purges_only_what_is_dead(
    app: Flask, runner: FlaskCliRunner, user: User
) -> None:
    alive = AuthActions(app.test_client())
    alive.login("juniper")
    AuthActions(app.test_client()).login("juniper")
    with app.app_context():
        _alive, dead = db.session.scalars(sa.select(UserSession).order_by(UserSession.id))
        dead.expires_at = utcnow() - timedelta(minutes=1)
        stored = db.session.get(User, user.id)
        db.session.add(
            ActionToken(
                token_hash="a" * 64,
                user=stored,
                purpose="verify_email",
                email="x@example.org",
                expires_at=utcnow() - timedelta(seconds=1),
            )
        )
        db.session.add(
            UsernameHold(
                username="oldname", user_id=user.id, held_until=utcnow() - timedelta(seconds=1)
            )
        )
        db.session.commit()
    result = invoke(app, runner, "maintenance", "run")
    assert result.exit_code == 0
    assert (
        "Removed 1 sessions, 1 links, 1 username holds, 0 deleted accounts, 0 sent emails"
        in result.output
    )
    assert "; lifted 0 expired blocks; made 0 blurred previews." in result.output
    assert (
        "0 orphaned media files, 0 expired exports; 0 left-over import archives;" in result.output
    )
    assert alive.client.get("/settings/").status_code == 200
    assert (
        "Removed 0 sessions, 0 links, 0 username holds, 0 deleted accounts, 0 sent emails"
        in invoke(app, runner, "maintenance", "run").output
    )


def test_development_prints_mail_to_the_log_so_links_can_be_clicked(
    app: Flask, auth: AuthActions, capsys: pytest.CaptureFixture[str]
) -> None:
    app.config.update(MAIL_SERVER=None, ENV_NAME="development")
    auth.post("/signup", {"username": "fern", "email": "fern@example.org", "password": PASSWORD})
    output = capsys.readouterr().err
    assert "Confirm your email address for Sapling" in output
    assert "http://127.0.0.1:8000/verify/" in output
