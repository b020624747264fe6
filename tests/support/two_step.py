"""Turning on the second login step the way a member does, and ageing a login past the
re-authentication window: for the tests of every flow that needs either."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import UserSession, utcnow
from tests.support.auth import AuthActions


def secret_from(page: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert match, "no key shown on the page"
    return match.group(1)


def codes_from(page: str) -> list[str]:
    return re.findall(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>", page)


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def enable_totp(auth: AuthActions) -> tuple[str, list[str]]:
    page = auth.client.get("/settings/two-factor/totp").get_data(as_text=True)
    secret = secret_from(page)
    response = auth.post("/settings/two-factor/totp", {"code": code_at(secret)})
    assert response.status_code == 200
    codes = codes_from(response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def make_stale(app: Flask) -> None:
    """Every session's last proof, with or without a second factor, six minutes ago."""
    past = utcnow() - timedelta(minutes=6)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(authenticated_at=past))
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.second_factor_at.is_not(None))
            .values(second_factor_at=past)
        )
        db.session.commit()
