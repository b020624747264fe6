"""The shared counters behave the same in Redis, in one process, and through a Redis outage."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from app.services.security import counters
from tests.support.apps import REDIS_URL, build_app

BACKENDS = {
    "process": None,
    "redis-down": "redis://127.0.0.1:1/0",
    **({"redis": REDIS_URL} if REDIS_URL else {}),
}


@pytest.fixture(params=sorted(BACKENDS))
def store_app(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Flask:
    return build_app(database_url, tmp_path, {"REDIS_URL": BACKENDS[request.param]})


def test_counters_count_expire_and_are_taken_once(store_app: Flask) -> None:
    with store_app.app_context():
        assert counters.incr("hits", 60) == 1
        assert counters.incr("hits", 60) == 2
        assert counters.count("hits") == 2
        assert 0 < counters.ttl("hits") <= 60
        counters.put("flag", "on", 30)
        assert counters.get("flag") == "on"
        assert counters.take("flag") == "on"
        assert counters.take("flag") is None  # used up
        counters.put("forever", "1", None)
        assert counters.get("forever") == "1"
        counters.delete("forever")
        assert counters.get("forever") is None
        assert counters.ttl("missing") == 0
        assert counters.count("missing") == 0


def test_an_outage_is_logged_loudly(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(database_url, tmp_path, {"REDIS_URL": "redis://127.0.0.1:1/0"})
    with app.app_context(), caplog.at_level(logging.ERROR):
        counters.incr("hits", 60)
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
