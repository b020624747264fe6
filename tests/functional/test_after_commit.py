"""After-commit work runs from the session's events: in a request, a CLI command, the worker."""

from __future__ import annotations

import logging

import click
import pytest
import sqlalchemy as sa
from flask import Flask, redirect
from flask.testing import FlaskCliRunner
from werkzeug.wrappers import Response

from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import OutboxMessage
from app.services.operations import mailer
from tests.support.smtp import Mailbox


def queue_note(subject: str) -> None:
    mailer.queue("rowan@example.org", "email_change_attempt", subject, user=None)


def test_a_cli_commands_email_goes_after_its_commit_with_no_manual_call(
    app: Flask, runner: FlaskCliRunner, mailbox: Mailbox
) -> None:
    @app.cli.command("_test-notify")
    def notify() -> None:
        queue_note("From a command")
        assert mailbox.messages == []  # nothing leaves before the commit
        db.session.commit()
        click.echo("committed")

    with app.app_context():
        result = runner.invoke(args=["_test-notify"])
    assert result.exit_code == 0, result.output
    [message] = mailbox.to("rowan@example.org")
    assert message["Subject"] == "From a command"
    with app.app_context():
        [row] = db.session.scalars(sa.select(OutboxMessage))
        assert row.sent_at is not None  # sent once, and recorded as sent


def test_a_rolled_back_unit_runs_no_after_commit_work(app: Flask, mailbox: Mailbox) -> None:
    ran: list[str] = []
    with app.app_context():
        queue_note("Never sent")
        after_commit(lambda: ran.append("commit"))
        after_rollback(lambda: ran.append("rollback"))
        db.session.rollback()
        assert ran == ["rollback"]
        db.session.commit()  # a later unit does not inherit the dropped work
        assert ran == ["rollback"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert mailbox.messages == []


def test_a_savepoint_is_not_the_commit_and_a_closed_session_runs_nothing(app: Flask) -> None:
    ran: list[str] = []
    with app.app_context():
        with db.session.begin_nested():
            after_commit(lambda: ran.append("outer commit"))
        assert ran == []  # releasing a savepoint commits nothing yet
        db.session.commit()
        assert ran == ["outer commit"]
    with app.app_context():
        after_commit(lambda: ran.append("never"))
        db.session.scalar(sa.select(1))
    assert ran == ["outer commit"]  # the app context ended without a commit


def test_failed_work_after_commit_is_logged_and_the_redirect_stands(
    app: Flask, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # a test route, not a form; CSRF has its own tests

    def broken() -> None:
        raise OSError("cache gone")

    @app.post("/_test/queue-then-fail")
    def queue_then_fail() -> Response:
        queue_note("Still sent")
        after_commit(broken)
        return redirect("/")

    with caplog.at_level(logging.ERROR, logger="app.core.database"):
        response = app.test_client().post("/_test/queue-then-fail")
    assert response.status_code == 302
    assert "After-commit work failed" in caplog.text and "cache gone" in caplog.text
    assert [m["Subject"] for m in mailbox.to("rowan@example.org")] == ["Still sent"]
