"""The expiring store behaves the same in Redis, in one process, and through a Redis outage."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from app.services.security import expiring_store
from tests.support.apps import REDIS_URL, build_app

BACKENDS = {
    "process": None,
    "redis-down": "redis://127.0.0.1:1/0",
    **({"redis": REDIS_URL} if REDIS_URL else {}),
}


@pytest.fixture(params=sorted(BACKENDS))
def store_app(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Flask:
    return build_app(database_url, tmp_path, {"REDIS_URL": BACKENDS[request.param]})


def test_values_count_expire_and_are_taken_once(store_app: Flask) -> None:
    with store_app.app_context():
        assert expiring_store.incr("hits", 60) == 1
        assert expiring_store.incr("hits", 60) == 2
        assert expiring_store.count("hits") == 2
        assert 0 < expiring_store.ttl("hits") <= 60
        expiring_store.put("flag", "on", 30)
        assert expiring_store.get("flag") == "on"
        assert expiring_store.take("flag") == "on"
        assert expiring_store.take("flag") is None  # used up
        expiring_store.put("forever", "1", None)
        assert expiring_store.get("forever") == "1"
        expiring_store.delete("forever")
        assert expiring_store.get("forever") is None
        assert expiring_store.ttl("missing") == 0
        assert expiring_store.count("missing") == 0


def test_an_outage_is_logged_loudly(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(database_url, tmp_path, {"REDIS_URL": "redis://127.0.0.1:1/0"})
    with app.app_context(), caplog.at_level(logging.ERROR):
        expiring_store.incr("hits", 60)
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
