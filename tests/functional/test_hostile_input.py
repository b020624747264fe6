"""Hostile input found in review: each gets a 4xx, never a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from tests.factories import PASSWORD, create_user
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for


def post_json(client: FlaskClient, path: str, body: str) -> int:
    token = csrf_token_for(client)
    response = client.post(
        path, data=body, headers={"X-CSRFToken": token, "Content-Type": "application/json"}
    )
    return response.status_code


@pytest.mark.parametrize(
    "body",
    [
        '{"credential": {"id": "eA\\u0000", "rawId": "eA"}}',
        '{"credential": {"id": "eA", "rawId": "eA\\u0000"}}',
        "[" * 20000 + "]" * 20000,
        '{"credential": {"id": "' + "A" * 2000 + '", "rawId": "eA"}}',
        '{"credential": {"id": "not base64!", "rawId": "eA"}}',
        '{"credential": {"id": 5, "rawId": 5}}',
    ],
)
def test_passkey_json_endpoints_refuse_hostile_bodies(client: FlaskClient, body: str) -> None:
    assert post_json(client, "/login/passkey", body) == 400


def test_a_totp_code_in_other_scripts_digits_is_just_wrong(
    app: Flask, auth: AuthActions, user: User
) -> None:
    from tests.support.two_step import enable_totp

    auth.login("juniper")
    enable_totp(auth)
    auth.logout()
    auth.login("juniper")
    assert auth.post("/login/verify", {"code": "١٢٣٤٥٦"}).status_code == 401  # Arabic-Indic digits


@pytest.mark.parametrize(
    "path",
    [
        "/settings/devices/99999999999999999999/revoke",
        "/settings/devices/trusted/99999999999999/revoke",
        "/settings/two-factor/passkeys/99999999999999/delete",
        "/settings/two-factor/passkeys/99999999999999/rename",
    ],
)
def test_huge_ids_in_paths_are_404(auth: AuthActions, user: User, path: str) -> None:
    auth.login("juniper")
    assert auth.post(path, {"name": "x"}).status_code == 404


def test_a_huge_cursor_is_400(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    assert auth.client.get("/settings/security?before=99999999999999999999").status_code == 400


def test_a_taken_username_answers_the_same_whatever_the_email(
    app: Flask, auth: AuthActions
) -> None:
    create_user(app, "juniper", "juniper@example.org")
    registered = auth.post(
        "/signup", {"username": "juniper", "email": "juniper@example.org", "password": PASSWORD}
    )
    unregistered = auth.post(
        "/signup", {"username": "juniper", "email": "nobody@example.org", "password": PASSWORD}
    )
    assert registered.status_code == unregistered.status_code == 422
    assert "That username is taken." in registered.get_data(as_text=True)
    assert "That username is taken." in unregistered.get_data(as_text=True)


def test_a_description_numbered_in_superscript_digits_is_not_a_500(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    """ "²" is a digit to str.isdigit() and not to int(): found by the API's fuzzing."""
    auth.login("juniper")
    data = {"csrf_token": csrf_token_for(client), "caption": "", "alt_texts-²": "x"}
    response = client.post("/p/new", data=data)
    assert response.status_code == 422
