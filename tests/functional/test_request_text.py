"""No free text from a request reaches an email, the security timeline, the devices page
or the data export: a User-Agent or a forwarded address is shown only as words we chose."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import (
    KnownDevice,
    SecurityEvent,
    SecurityEventKind,
    TrustedBrowser,
    User,
    UserSession,
    utcnow,
)
from app.services.privacy import export_archive
from tests.support.auth import AuthActions
from tests.support.smtp import Mailbox

ATTACK = "(compatible; URGENT call 555-0100 or visit evil-example-com Bot/1.0)"
ATTACKER_TEXT = ("URGENT", "555-0100", "evil-example", "Click here", "\u202e")
HOSTILE = [
    ATTACK,
    "Mozilla/5.0 (compatible; <a href=//evil-example.com>Click here</a> Bot/1.0)",
    "Mozilla/5.0 (compatible; \u202eURGENT call 555-0100\u202c Bot/1.0)",
    "Mozilla/5.0 (compatible; URGENT call 555-0100 " + "A" * 5_000 + " Bot/1.0)",
]


def browser(app: Flask, user_agent: str) -> AuthActions:
    actions = AuthActions(app.test_client())
    actions.client.environ_base["HTTP_USER_AGENT"] = user_agent
    return actions


def parts(message: object) -> list[str]:
    """The text and the HTML part of a received email."""
    return [
        message.get_body(preferencelist=(kind,)).get_content()  # type: ignore[attr-defined]
        for kind in ("plain", "html")
    ]


def assert_clean(text: str) -> None:
    for word in ATTACKER_TEXT:
        assert word not in text, f"{word!r} in:\n{text}"


def test_a_hostile_user_agent_is_not_printed_in_the_reset_email(
    app: Flask, user: User, mailbox: Mailbox
) -> None:
    attacker = browser(app, ATTACK)
    response = attacker.post("/password/forgot", {"email": "juniper@example.org"})
    assert response.status_code == 200
    [message] = mailbox.to("juniper@example.org")
    for body in parts(message):
        assert_clean(body)
        assert "from Unknown browser (IP " in body


@pytest.mark.parametrize("user_agent", HOSTILE)
def test_a_hostile_browser_leaves_only_vocabulary_on_pages_and_in_mail(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox, user_agent: str
) -> None:
    auth.login("juniper")  # the owner's own browser, known to the account
    attacker = browser(app, user_agent)
    assert attacker.login("juniper").status_code == 303
    [alert] = mailbox.to("juniper@example.org")
    assert "New sign-in" in alert["Subject"]
    for body in parts(alert):
        assert_clean(body)
        assert "Unknown browser" in body
    attacker.logout()  # "Logged out" names the session's device in its detail
    for path in ("/settings/devices", "/settings/security"):
        page = auth.client.get(path).get_data(as_text=True)
        assert_clean(page)
        assert "Unknown browser" in page
    with app.app_context():
        stored = db.session.scalars(sa.select(SecurityEvent.device_label)).all()
        assert stored and all("URGENT" not in label for label in stored)


@pytest.mark.config(TRUSTED_PROXY_COUNT=2)
def test_a_forged_forwarded_address_is_not_printed(
    app: Flask, user: User, mailbox: Mailbox
) -> None:
    """One proxy too many trusted: the client writes the hop we believe. It is no address."""
    attacker = AuthActions(app.test_client())
    forged = "URGENT call 555-0100 or visit evil-example-com now, 203.0.113.9"
    attacker.client.environ_base["HTTP_X_FORWARDED_FOR"] = forged
    response = attacker.post("/password/forgot", {"email": "juniper@example.org"})
    assert response.status_code == 200
    [message] = mailbox.to("juniper@example.org")
    for body in parts(message):
        assert_clean(body)


def test_labels_stored_before_0_8_are_shown_through_the_vocabulary(
    app: Flask, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    """0.7.0 stored whatever ua-parser read out of the User-Agent, and not the header
    itself: those rows are read through the same vocabulary as new ones."""
    auth.login("juniper")
    old = "URGENT call 555-0100 or visit evil-example-com Bot"
    with app.app_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        now = utcnow()
        db.session.add(
            UserSession(
                token_hash="0" * 64,
                user_id=owner.id,
                epoch=owner.session_epoch,
                expires_at=now + timedelta(days=1),
            )
        )
        db.session.add(
            TrustedBrowser(
                user_id=owner.id,
                token_hash="1" * 64,
                epoch=owner.session_epoch,
                expires_at=now + timedelta(days=1),
            )
        )
        db.session.add(KnownDevice(user_id=owner.id, device_hash="2" * 64))
        for kind in (SecurityEventKind.NEW_DEVICE, SecurityEventKind.SESSION_REVOKED):
            db.session.add(SecurityEvent(user_id=owner.id, kind=kind))
        db.session.flush()
        # Written as 0.7.0 wrote them, past the model's column type.
        for table, column in (
            ("user_sessions", "device_label"),
            ("trusted_browsers", "label"),
            ("known_devices", "label"),
            ("security_events", "device_label"),
        ):
            db.session.execute(sa.text(f"UPDATE {table} SET {column} = :old"), {"old": old})  # noqa: S608
        db.session.execute(
            sa.text(
                "UPDATE security_events SET detail = :old"
                " WHERE kind IN ('new_device', 'session_revoked')"
            ),
            {"old": f"{old} on Windows"},
        )
        db.session.commit()

        archive_path = tmp_path / "export.zip"
        export_archive.write(owner, archive_path, now, now + timedelta(days=7))
        with zipfile.ZipFile(archive_path) as archive:
            events = json.loads(archive.read("security_events.json"))
        assert_clean(json.dumps(events, ensure_ascii=False))
        assert {e["detail"] for e in events if e["kind"] == "new_device"} == {
            "Unknown browser on Windows"
        }
        labels = db.session.scalars(sa.select(KnownDevice.label)).all()
        assert set(labels) == {"Unknown browser"}
        db.session.commit()

    for path in ("/settings/devices", "/settings/security"):
        page = auth.client.get(path).get_data(as_text=True)
        assert_clean(page)
        assert "Unknown browser" in page
