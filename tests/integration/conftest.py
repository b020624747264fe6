"""The production stack on loopback: a committing database, gunicorn and nginx."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator

import pytest

from app.extensions import db
from app.models import Visibility
from tests.factories import create_post, create_user, follow
from tests.support.apps import NGINX, NO_NGINX, REDIS_URL, build_app, migrated_database
from tests.support.nginx_site import INTERNAL_KEY, RETIRED_KEY, Site
from tests.support.nginx_stack import SERVER_NAME, Stack


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
