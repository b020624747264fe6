"""Logging in and out through the real forms, as a browser would."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD
from tests.support.pages import csrf_token_for


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(
        self,
        identifier: str,
        password: str = PASSWORD,
        *,
        remember: bool = False,
        next_url: str | None = None,
    ) -> TestResponse:
        token = csrf_token_for(self.client)
        data = {"csrf_token": token, "identifier": identifier, "password": password}
        if remember:
            data["remember"] = "y"
        if next_url:
            data["next"] = next_url
        return self.client.post("/login", data=data)

    def logout(self) -> TestResponse:
        return self.client.post("/logout", data={"csrf_token": csrf_token_for(self.client)})

    def post(self, path: str, data: dict[str, str] | None = None) -> TestResponse:
        """POST a form with this client's CSRF token."""
        token = csrf_token_for(self.client)
        return self.client.post(path, data={"csrf_token": token, **(data or {})})
