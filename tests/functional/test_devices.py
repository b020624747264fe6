"""The Devices page and the Security activity page."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import SecurityEvent, SecurityEventKind, User, UserSession
from tests.factories import create_user
from tests.support.auth import AuthActions

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"


def browser(app: Flask, user_agent: str | None = None) -> AuthActions:
    actions = AuthActions(app.test_client())
    if user_agent:
        actions.client.environ_base["HTTP_USER_AGENT"] = user_agent
    return actions


def session_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(UserSession.id).order_by(UserSession.id)))


def test_devices_page_lists_sessions_and_marks_this_one(
    app: Flask, auth: AuthActions, user: User
) -> None:
    browser(app, FIREFOX).login("juniper")
    auth.login("juniper")
    text = auth.client.get("/settings/devices").get_data(as_text=True)
    assert "Firefox on Windows" in text
    assert text.count("This device") == 1
    assert text.count(">Sign out<") == 1  # only the other session has a button
    assert "Sign out all other devices" in text


def test_signing_out_another_session(app: Flask, auth: AuthActions, user: User) -> None:
    laptop = browser(app, FIREFOX)
    laptop.login("juniper")
    auth.login("juniper")
    laptop_session, this_session = session_ids(app)
    response = auth.post(f"/settings/devices/{laptop_session}/revoke")
    assert response.status_code == 303
    assert laptop.client.get("/settings/").status_code == 302
    assert auth.client.get("/settings/").status_code == 200
    # This browser's own session is ended with "Log out", not from this list.
    assert auth.post(f"/settings/devices/{this_session}/revoke").status_code == 400


def test_sign_out_all_other_devices(app: Flask, auth: AuthActions, user: User) -> None:
    others = [browser(app, FIREFOX), browser(app)]
    for other in others:
        other.login("juniper")
    auth.login("juniper")
    assert auth.post("/settings/devices/revoke-others").status_code == 303
    assert all(o.client.get("/settings/").status_code == 302 for o in others)
    assert auth.client.get("/settings/").status_code == 200


def test_nobody_can_sign_out_someone_elses_session(
    app: Flask, auth: AuthActions, user: User
) -> None:
    create_user(app, "rowan")
    victim = browser(app)
    victim.login("juniper")
    [victim_session] = session_ids(app)
    auth.login("rowan")
    assert auth.post(f"/settings/devices/{victim_session}/revoke").status_code == 404
    assert auth.post("/settings/devices/999999/revoke").status_code == 404
    assert victim.client.get("/settings/").status_code == 200


def test_revoke_without_csrf_is_refused(app: Flask, auth: AuthActions, user: User) -> None:
    browser(app).login("juniper")
    auth.login("juniper")
    [other, _] = session_ids(app)
    assert auth.client.post(f"/settings/devices/{other}/revoke").status_code == 400


def test_security_activity_lists_events_newest_first(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper", "a wrong password!")
    auth.login("juniper")
    text = auth.client.get("/settings/security").get_data(as_text=True)
    failed, succeeded = text.index("Failed login attempt"), text.index("Logged in<")
    assert succeeded < failed
    assert "Check this" in text


def test_security_activity_pages_with_a_cursor(app: Flask, auth: AuthActions, user: User) -> None:
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored is not None
        for _ in range(60):
            db.session.add(SecurityEvent(user_id=stored.id, kind=SecurityEventKind.LOGIN_FAILED))
        db.session.commit()
    auth.login("juniper")
    first = auth.client.get("/settings/security").get_data(as_text=True)
    assert first.count("Failed login attempt") == 49  # 50 rows: the login, then 49 failures
    cursor = re.search(r"/settings/security\?before=(\d+)", first)
    assert cursor
    second = auth.client.get(f"/settings/security?before={cursor.group(1)}").get_data(as_text=True)
    assert second.count("Failed login attempt") == 11
    assert "Older activity" not in second


def test_other_users_never_see_my_activity(app: Flask, auth: AuthActions, user: User) -> None:
    browser(app).login("juniper", "wrong guess number one")
    create_user(app, "rowan")
    auth.login("rowan")
    assert "Failed login attempt" not in auth.client.get("/settings/security").get_data(
        as_text=True
    )
