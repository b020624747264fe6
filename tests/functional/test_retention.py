"""IP addresses are kept whole for 30 days, truncated until 90, then dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import SecurityEvent, SecurityEventKind, User, UserSession, utcnow
from tests.factories import create_user


def event_at(user: User, days_ago: int, ip: str) -> None:
    db.session.add(
        SecurityEvent(
            user_id=user.id,
            kind=SecurityEventKind.LOGIN_SUCCEEDED,
            ip=ip,
            created_at=utcnow() - timedelta(days=days_ago),
        )
    )


def ips(app: Flask) -> dict[int, str | None]:
    with app.app_context():
        rows = db.session.execute(sa.select(SecurityEvent.id, SecurityEvent.ip)).all()
    return {int(row[0]): row[1] for row in rows}


@pytest.mark.config(IP_TRUNCATE_AFTER=timedelta(days=30), IP_DROP_AFTER=timedelta(days=90))
def test_addresses_age_on_schedule_with_a_controllable_clock(
    app: Flask, runner: FlaskCliRunner
) -> None:
    user = create_user(app, "aging")
    with app.app_context():
        for days_ago, ip in ((1, "203.0.113.9"), (45, "198.51.100.23"), (45, "2001:db8:1:2::7")):
            event_at(user, days_ago, ip)
        db.session.commit()

    with app.app_context():
        first = runner.invoke(args=["maintenance", "run"])
    assert first.exit_code == 0, first.output
    assert sorted(v for v in ips(app).values() if v) == sorted(
        ["203.0.113.9", "198.51.100.0", "2001:db8:1::"]
    )
    assert "truncated 2 and dropped 0 IP addresses" in first.output

    # Run again, as cron would: nothing more to do.
    with app.app_context():
        again = runner.invoke(args=["maintenance", "run"])
    assert "truncated 0 and dropped 0 IP addresses" in again.output

    # Fifty days on, the 45-day-old addresses are past 90 days and go; the recent one is
    # now 51 days old and is truncated.
    later = (utcnow() + timedelta(days=50)).isoformat()
    with app.app_context():
        moved = runner.invoke(args=["maintenance", "run", "--now", later])
    assert "truncated 1 and dropped 2 IP addresses" in moved.output
    assert sorted(ips(app).values(), key=str) == sorted([None, None, "203.0.113.0"], key=str)


def test_session_addresses_age_too(app: Flask, runner: FlaskCliRunner) -> None:
    user = create_user(app, "sessions.age")
    with app.app_context():
        db.session.add(
            UserSession(
                token_hash="a" * 64,
                user_id=user.id,
                epoch="x",
                created_at=utcnow() - timedelta(days=40),
                expires_at=utcnow() + timedelta(days=1),
                ip="192.0.2.44",
            )
        )
        db.session.commit()
    with app.app_context():
        runner.invoke(args=["maintenance", "run"])
        assert db.session.scalar(sa.select(UserSession.ip)) == "192.0.2.0"


def test_sent_mail_is_kept_a_week(app: Flask, runner: FlaskCliRunner) -> None:
    from app.models import OutboxMessage

    with app.app_context():
        for days_ago, sent in ((10, True), (2, True), (10, False)):
            when = utcnow() - timedelta(days=days_ago)
            db.session.add(
                OutboxMessage(
                    to_address=f"{days_ago}-{sent}@example.org",
                    subject="s",
                    text_body="t",
                    html_body="h",
                    created_at=when,
                    sent_at=when if sent else None,
                )
            )
        db.session.commit()
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run"])
        assert "1 sent emails" in result.output
        left = sorted(db.session.scalars(sa.select(OutboxMessage.to_address)))
    # The unsent one waits for delivery however old it is.
    assert left == ["10-False@example.org", "2-True@example.org"]
