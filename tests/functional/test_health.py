"""Liveness and readiness, as a load balancer sees them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def test_healthz_is_tiny_json(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_healthz_touches_no_dependency(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_each_check(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["media"] == "ok"
    assert body["checks"]["redis"] in {"ok", "skipped"}


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_readyz_is_503_when_the_database_is_unreachable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "failed"
    assert body["checks"]["media"] == "ok"


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1/0")
def test_readyz_is_503_when_redis_is_unreachable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "failed"


@pytest.mark.config(MEDIA_ROOT="/proc/sapling-cannot-write-here")
def test_readyz_is_503_when_media_storage_is_not_writable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["media"] == "failed"


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_probes_leak_nothing_about_the_system(client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        body = response.get_json()
        assert set(body) <= {"status", "checks"}
        text = response.get_data(as_text=True)
        for leak in ("127.0.0.1", "nowhere", "psycopg", "Traceback", "version", "Python"):
            assert leak not in text
