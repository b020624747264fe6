"""CSRF protection stays on in tests; the token travels as a browser sends it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.views.errors import CSRF_MESSAGE
from tests.support.pages import csrf_token

VALID = {"display_name": "Ash Grove", "email": "ash@example.org"}


def test_post_without_a_token_is_refused_with_400(client: FlaskClient) -> None:
    client.get("/_gallery/")
    response = client.post("/_gallery/", data=VALID)
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


def test_post_with_a_forged_token_is_refused(client: FlaskClient) -> None:
    client.get("/_gallery/")
    response = client.post("/_gallery/", data={**VALID, "csrf_token": "forged.token.value"})
    assert response.status_code == 400


def test_token_from_another_session_is_refused(client: FlaskClient, app: Flask) -> None:
    stolen = csrf_token(app.test_client().get("/_gallery/"))
    client.get("/_gallery/")
    response = client.post("/_gallery/", data={**VALID, "csrf_token": stolen})
    assert response.status_code == 400


def test_post_with_the_page_token_succeeds(client: FlaskClient) -> None:
    token = csrf_token(client.get("/_gallery/"))
    response = client.post("/_gallery/", data={**VALID, "csrf_token": token})
    assert response.status_code == 200
    assert "Saved." in response.get_data(as_text=True)


def test_token_in_header_is_accepted_for_scripts(client: FlaskClient) -> None:
    token = csrf_token(client.get("/_gallery/"))
    response = client.post("/_gallery/", data=VALID, headers={"X-CSRFToken": token})
    assert response.status_code == 200
