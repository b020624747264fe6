"""Registering a passkey and logging in with one through the JSON endpoints, as the
page's script does."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.soft_authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8000"


class Browser:
    """A test client plus the CSRF header the passkey script sends."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.auth = AuthActions(client)

    def post_json(self, path: str, body: dict[str, Any] | None = None) -> Any:
        token = csrf_token_for(self.client)
        return self.client.post(path, json=body or {}, headers={"X-CSRFToken": token})


def register(browser: Browser, authenticator: SoftAuthenticator, name: str = "Laptop") -> Any:
    options = browser.post_json("/settings/two-factor/passkeys/options").get_json()
    credential = authenticator.create(options)
    return browser.post_json(
        "/settings/two-factor/passkeys", {"credential": credential, "name": name}
    )


def passwordless(browser: Browser, authenticator: SoftAuthenticator, **kwargs: int) -> Any:
    options = browser.post_json("/login/passkey/options").get_json()
    assert options["allowCredentials"] == []  # discoverable: the browser picks the account
    assert options["userVerification"] == "required"
    return browser.post_json("/login/passkey", {"credential": authenticator.get(options, **kwargs)})
