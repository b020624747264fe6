"""Email verification links: single use, expiring, tied to the address."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask, Response
from flask.testing import FlaskClient

from app.controllers.support.authentication import verified_required
from app.extensions import db
from app.models import ActionToken, User, utcnow
from tests.factories import PASSWORD, create_user, link_from
from tests.support.auth import AuthActions
from tests.support.smtp import Mailbox


@pytest.fixture
def verify_link(app: Flask, auth: AuthActions, mailbox: Mailbox) -> str:
    auth.post("/signup", {"username": "fern", "email": "fern@example.org", "password": PASSWORD})
    return link_from(mailbox.to("fern@example.org")[-1], "/verify/")


def verified(app: Flask) -> bool:
    with app.app_context():
        return db.session.scalar(sa.select(User.email_verified_at)) is not None


def test_opening_the_link_does_not_use_it_up(
    app: Flask, client: FlaskClient, verify_link: str
) -> None:
    page = client.get(verify_link)
    assert page.status_code == 200
    assert "Confirm my email address" in page.get_data(as_text=True)
    assert not verified(app)  # a mail scanner that opens links changes nothing


def test_confirming_verifies_once(app: Flask, auth: AuthActions, verify_link: str) -> None:
    response = auth.post(verify_link)
    assert response.status_code == 303
    assert verified(app)
    replay = auth.client.get(verify_link)
    assert replay.status_code == 400
    assert "This link doesn" in replay.get_data(as_text=True)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"),
        lambda p: p + "x" * 200,
        lambda p: "/verify/",
        lambda p: "/verify/%00",
    ],
)
def test_tampered_links_are_refused(client: FlaskClient, verify_link: str, mangle) -> None:  # type: ignore[no-untyped-def]
    assert client.get(mangle(verify_link)).status_code in {400, 404}


def test_expired_link_is_refused(app: Flask, client: FlaskClient, verify_link: str) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(ActionToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert client.get(verify_link).status_code == 400


def test_link_dies_when_the_address_changes(
    app: Flask, client: FlaskClient, verify_link: str
) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(User).values(email="moved@example.org", email_key="moved@example.org")
        )
        db.session.commit()
    assert client.get(verify_link).status_code == 400


def test_resend_replaces_the_old_link_and_is_rate_limited(
    app: Flask, auth: AuthActions, mailbox: Mailbox, verify_link: str
) -> None:
    auth.login("fern")
    app.config["RATELIMIT_EMAIL"] = "1 per hour"
    response = auth.post("/verify/resend", {"next": "/settings/"})
    assert response.status_code == 303 and response.headers["Location"] == "/settings/"
    new_link = link_from(mailbox.to("fern@example.org")[-1], "/verify/")
    assert new_link != verify_link
    assert auth.client.get(verify_link).status_code == 400  # the newer link replaced it
    assert auth.client.get(new_link).status_code == 200
    assert auth.post("/verify/resend").status_code == 429


def test_unverified_accounts_cannot_use_gated_actions(app: Flask, client: FlaskClient) -> None:
    @app.post("/_test/gated")
    @verified_required
    def gated() -> str:
        return "done"

    app.config["WTF_CSRF_ENABLED"] = False  # the gate is what is tested here
    create_user(app, "sprout", verified=False)
    create_user(app, "oak", verified=True)
    assert client.post("/_test/gated").status_code == 302  # not logged in: to the login page
    AuthActions(client).login("sprout")
    refused: Response = client.post("/_test/gated")
    assert refused.status_code == 303
    other = app.test_client()
    AuthActions(other).login("oak")
    assert other.post("/_test/gated").status_code == 200
