"""The production stack on loopback: a committing database, gunicorn and nginx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.extensions import db
from app.models import Visibility
from tests.factories import create_post, create_user, follow
from tests.support.apps import build_app, migrated_database
from tests.support.nginx_site import (
    INTERNAL_KEY,
    RETIRED_KEY,
    Site,
    production_environment,
    require_nginx,
)
from tests.support.nginx_stack import Stack


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx = require_nginx()
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
        environment = production_environment(
            url, workdir, media, INTERNAL_API_KEYS=f"{RETIRED_KEY},{INTERNAL_KEY}"
        )
        with Stack(nginx, workdir, environment) as stack:
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
