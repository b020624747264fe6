"""The nginx tests' site: the production stack on loopback and the cast it serves. The
``site`` fixture (tests/integration/conftest.py) builds it; the tests read it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests
from flask import Flask

from tests.factories import PASSWORD
from tests.support.nginx_stack import Stack
from tests.support.pages import csrf_token_in

INTERNAL_KEY = secrets.token_urlsafe(32)
RETIRED_KEY = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Site:
    """What the tests need: the running stack, the app for the database, and the cast."""

    stack: Stack
    app: Flask
    follower: str  # follows the author, so sees her followers-only photo
    stranger: str
    private_photo: str  # storage key of a followers-only photo
    public_photo: str

    def client(self, source: str | None = None) -> requests.Session:
        """A client that trusts the certificate, connecting from ``source`` (a 127/8 address).

        Each test that counts requests per address uses an address of its own.
        """
        return self.stack.session(source)

    def login(
        self, username: str, source: str | None = None, headers: dict[str, str] | None = None
    ) -> requests.Session:
        client = self.client(source)
        client.headers.update(headers or {})
        page = client.get(f"{self.stack.https}/login", timeout=10)
        response = client.post(
            f"{self.stack.https}/login",
            data={
                "csrf_token": csrf_token_in(page.text),
                "identifier": username,
                "password": PASSWORD,
            },
            # What a browser sends for a same-origin form post (Referrer-Policy: same-origin).
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 303, response.text[:2000]
        return client
