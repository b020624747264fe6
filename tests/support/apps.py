"""What this machine offers the suite (PostgreSQL or SQLite, Redis, Chromium, nginx) and the
app and throwaway databases built on it. Fixtures in tests/conftest.py and tests that need a
committing database of their own both use these."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.config import TestingConfig
from app.extensions import alembic, db
from scripts.browser import find_chromium
from tests.support.databases import choose_database, create_throwaway_database, drop_database
from tests.support.nginx_stack import find_nginx
from tests.support.redis import choose_redis
from tests.support.s3_server import shared_server, storage_under_test

DATABASE = choose_database()
REDIS_URL, REDIS_REASON = choose_redis()
CHROMIUM = find_chromium()
NO_CHROMIUM = "browser tests skipped: no Chromium found (apt-get install chromium)"
NGINX = find_nginx()
NO_NGINX = "nginx tests skipped: no nginx found (apt-get install nginx)"
# TEST_MEDIA_STORAGE=s3 runs every app on the S3 backend, against a real server (SeaweedFS).
MEDIA_STORAGE = storage_under_test()


def build_app(
    database_url: str, media_root: Path, overrides: dict[str, Any] | None = None
) -> Flask:
    """An app on TestingConfig, with a fresh rate-limit namespace so tests never share counters.

    Redis gets a generous socket timeout: the production default (0.25 s) is tuned for a
    quiet LAN, and on a loaded test machine one slow answer would open the breaker and move
    the login guard's counters to per-process storage in the middle of a test. The outage
    tests set the production default back explicitly.

    With TEST_MEDIA_STORAGE=s3 the app keeps its media in a folder of its own in this
    process's bucket (tests/support/s3_server.py), unless the test names a storage; so
    does a test marked ``config(MEDIA_STORAGE="s3")`` that names no bucket."""
    environ = {"REDIS_URL": REDIS_URL} if REDIS_URL else {}
    settings: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "MAIL_OUTBOX_DIR": str(media_root.parent / "mail"),
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "REDIS_SOCKET_TIMEOUT": 10.0,
    }
    chosen = (overrides or {}).get("MEDIA_STORAGE", MEDIA_STORAGE)
    if chosen == "s3" and "MEDIA_S3_BUCKET" not in (overrides or {}):
        settings.update(shared_server().settings())
    settings.update(overrides or {})
    return create_app(TestingConfig(environ), settings)


@contextmanager
def migrated_database(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """A fresh database migrated to head, dropped afterwards."""
    if DATABASE.server_url:
        url = create_throwaway_database(DATABASE.server_url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'sapling-test.db'}"
    app = build_app(url, tmp_path_factory.mktemp(f"{name}-media"))
    with app.app_context():
        alembic.upgrade()
        db.engine.dispose()
    try:
        yield url
    finally:
        if DATABASE.server_url:
            drop_database(DATABASE.server_url, url)
