"""The production stack on loopback: a committing database, gunicorn and nginx."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from flask import Flask

from app.extensions import db
from app.models import Visibility
from tests.conftest import NGINX, NO_NGINX, REDIS_URL, build_app, migrated_database
from tests.factories import PASSWORD, create_post, create_user, follow
from tests.support.nginx_stack import SERVER_NAME, Stack
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


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if NGINX is None:
        if os.environ.get("SAPLING_REQUIRE_NGINX"):
            pytest.fail("SAPLING_REQUIRE_NGINX is set but no nginx was found")
        pytest.skip(NO_NGINX)
    workdir = tmp_path_factory.mktemp("nginx")
    media = workdir / "media"
    with migrated_database(tmp_path_factory, "nginx-db") as url:
        app = build_app(url, media)
        author = create_user(app, "hazel.edge")
        follower = create_user(app, "fern.edge")
        stranger = create_user(app, "rowan.edge")
        follow(app, follower, author)
        private = create_post(app, author, "For my followers", visibility=Visibility.FOLLOWERS)
        public = create_post(app, author, "For everyone")
        environment = {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "MEDIA_ROOT": str(media),
            "MEDIA_X_ACCEL": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "INTERNAL_API_KEYS": f"{RETIRED_KEY},{INTERNAL_KEY}",
            "BASE_URL": f"https://{SERVER_NAME}",
            "MAIL_OUTBOX_DIR": str(workdir / "mail"),
            "RATELIMIT_KEY_PREFIX": f"nginx-test-{uuid.uuid4().hex}",
            "LOG_FORMAT": "text",
            **({"REDIS_URL": REDIS_URL} if REDIS_URL else {}),
        }
        with Stack(NGINX, workdir, environment) as stack:
            yield Site(
                stack,
                app,
                follower.username,
                stranger.username,
                private.photos[0].storage_key,
                public.photos[0].storage_key,
            )
        with app.app_context():
            db.engine.dispose()
