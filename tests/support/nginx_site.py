"""The nginx tests' site: the production stack on loopback and the cast it serves. The
``site`` fixture (tests/integration/conftest.py) builds it; the tests read it."""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask

from tests.factories import PASSWORD
from tests.support.apps import NGINX, NO_NGINX, REDIS_URL
from tests.support.nginx_stack import SERVER_NAME, Stack
from tests.support.pages import csrf_token_in

INTERNAL_KEY = secrets.token_urlsafe(32)
RETIRED_KEY = secrets.token_urlsafe(32)


def require_nginx() -> str:
    """nginx's path; the test is skipped without one, or fails under SAPLING_REQUIRE_NGINX."""
    if NGINX is None:
        if os.environ.get("SAPLING_REQUIRE_NGINX"):
            pytest.fail("SAPLING_REQUIRE_NGINX is set but no nginx was found")
        pytest.skip(NO_NGINX)
    return NGINX


def production_environment(
    database_url: str, workdir: Path, media_root: Path, **extra: str
) -> dict[str, str]:
    """What the stack's gunicorn gets: production settings behind the nginx of deploy/."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "MEDIA_ROOT": str(media_root),
        "MEDIA_X_ACCEL": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "BASE_URL": f"https://{SERVER_NAME}",
        "MAIL_OUTBOX_DIR": str(workdir / "mail"),
        "RATELIMIT_KEY_PREFIX": f"nginx-test-{uuid.uuid4().hex}",
        "LOG_FORMAT": "text",
        **({"REDIS_URL": REDIS_URL} if REDIS_URL else {}),
        **extra,
    }


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
