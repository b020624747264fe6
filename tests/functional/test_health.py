"""Liveness and readiness, as a load balancer sees them, and in detail as the operator does."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app import __version__

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def test_healthz_is_tiny_json(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_healthz_touches_no_dependency(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200


def test_readyz_says_only_whether_the_instance_is_ready(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_readyz_is_503_when_the_database_is_unreachable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1/0")
def test_readyz_is_503_when_redis_is_unreachable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.config(MEDIA_STORAGE="local", MEDIA_ROOT="/proc/sapling-cannot-write-here")
def test_readyz_is_503_when_media_storage_is_not_writable(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE)
def test_probes_leak_nothing_about_the_system(client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert set(response.get_json()) == {"status"}
        text = response.get_data(as_text=True)
        for leak in ("127.0.0.1", "nowhere", "psycopg", "Traceback", "version", "Python"):
            assert leak not in text


# Which check failed: only for the operator, with a key (tests/functional/test_metrics.py has
# the key handling itself).
KEY = "k" * 40
OPERATOR = {"Authorization": f"Bearer {KEY}"}


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_internal_readyz_reports_each_check_the_version_and_the_queues(
    client: FlaskClient,
) -> None:
    assert client.get("/internal/readyz").status_code == 404
    response = client.get("/internal/readyz", headers=OPERATOR)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["media"] == "ok"
    assert body["checks"]["redis"] in {"ok", "skipped"}
    assert body["version"] == __version__
    assert set(body["queues"]) == {"outbox", "exports", "videos"}
    assert set(body["queues"]["outbox"]) == {"waiting", "oldest_age_seconds"}


@pytest.mark.config(DATABASE_URL=UNREACHABLE_DATABASE, INTERNAL_API_KEYS=[KEY])
def test_internal_readyz_names_the_failed_check(client: FlaskClient) -> None:
    response = client.get("/internal/readyz", headers=OPERATOR)
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "failed"
    assert body["checks"]["media"] == "ok"
    assert body["queues"] is None  # they live in the database that is gone
    for leak in ("127.0.0.1", "nowhere", "psycopg", "Traceback"):
        assert leak not in response.get_data(as_text=True)


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1/0", INTERNAL_API_KEYS=[KEY])
def test_internal_readyz_names_an_unreachable_redis(client: FlaskClient) -> None:
    response = client.get("/internal/readyz", headers=OPERATOR)
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "failed"


@pytest.mark.config(
    MEDIA_STORAGE="local", MEDIA_ROOT="/proc/sapling-cannot-write-here", INTERNAL_API_KEYS=[KEY]
)
def test_internal_readyz_names_unwritable_media_storage(client: FlaskClient) -> None:
    response = client.get("/internal/readyz", headers=OPERATOR)
    assert response.status_code == 503
    assert response.get_json()["checks"]["media"] == "failed"
