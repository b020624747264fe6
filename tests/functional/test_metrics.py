"""Prometheus metrics and the internal API key, through the real app and database.

Counters belong to the process and every test adds to them, so each test reads
the exposition before and after what it does and checks the difference.
"""

from __future__ import annotations

import logging
import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.datastructures import Headers

from app import __version__
from app.core import metrics
from app.extensions import db
from app.models import DataExport, ExportStatus, OutboxMessage, TotpFactor, User, utcnow
from tests.support.auth import AuthActions
from tests.support.two_step import code_at, enable_totp

ROOT = Path(__file__).resolve().parents[2]
KEY = "current-key-" + "k" * 32
NEW_KEY = "rotated-key-" + "n" * 32
OPERATOR = {"Authorization": f"Bearer {KEY}"}
URLS = ("/metrics", "/internal/readyz")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: FlaskClient) -> Samples:
    response = client.get("/metrics", headers=OPERATOR)
    assert response.status_code == 200
    return parse(response.get_data(as_text=True))


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def same_headers(first: Headers, second: Headers) -> bool:
    def without_request_id(headers: Headers) -> dict[str, str]:
        return {name: value for name, value in headers.items() if name != "X-Request-ID"}

    return without_request_id(first) == without_request_id(second)


# --- The key ---------------------------------------------------------------------------------


@pytest.mark.config(INTERNAL_API_KEYS=[KEY, NEW_KEY])
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong",
        f"Bearer {KEY[:-1]}x",  # one character off
        f"Bearer {KEY[:-1]}",  # one character short
        f"Bearer {KEY}x",
        KEY,  # no scheme
        f"Basic {KEY}",
        f"Bearer {KEY},{NEW_KEY}",
        "Bearer ",
    ],
)
def test_without_a_right_key_internal_endpoints_do_not_exist(
    client: FlaskClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    missing = client.get("/no-such-page")
    for url in URLS:
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        # The same answer as any unknown path: no 401, no WWW-Authenticate, no hint.
        assert response.get_data() == missing.get_data()
        assert same_headers(response.headers, missing.headers)
        assert "WWW-Authenticate" not in response.headers


def test_with_no_key_configured_internal_endpoints_never_answer(client: FlaskClient) -> None:
    for authorization in ("Bearer ", f"Bearer {KEY}", "Bearer None"):
        for url in URLS:
            assert client.get(url, headers={"Authorization": authorization}).status_code == 404


@pytest.mark.config(INTERNAL_API_KEYS=[KEY, NEW_KEY])
@pytest.mark.parametrize("authorization", [f"Bearer {KEY}", f"Bearer {NEW_KEY}", f"bearer {KEY}"])
def test_either_configured_key_works_while_keys_are_rotated(
    client: FlaskClient, authorization: str
) -> None:
    response = client.get("/metrics", headers={"Authorization": authorization})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert client.get("/internal/readyz", headers={"Authorization": authorization}).is_json


@pytest.mark.config(INTERNAL_API_KEYS=[KEY], RATELIMIT_LOGIN="1 per minute")
def test_internal_endpoints_are_not_rate_limited(client: FlaskClient) -> None:
    for _ in range(5):
        assert client.get("/metrics", headers=OPERATOR).status_code == 200


# --- Requests ---------------------------------------------------------------------------------


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_requests_are_timed_and_counted_by_endpoint_and_status(client: FlaskClient) -> None:
    before = scrape(client)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/4711").status_code == 404
    after = scrape(client)

    latency = "sapling_http_request_duration_seconds"
    healthz = {"endpoint": "health.healthz", "method": "GET"}
    assert grew(before, after, f"{latency}_count", **healthz) == 2
    assert grew(before, after, f"{latency}_bucket", **healthz, le="10.0") == 2
    assert grew(before, after, f"{latency}_bucket", **healthz, le="+Inf") == 2
    assert 0 < grew(before, after, f"{latency}_sum", **healthz) < 20
    responses = "sapling_http_responses_total"
    assert grew(before, after, responses, endpoint="health.healthz", status="200") == 2
    assert grew(before, after, responses, endpoint="unmatched", status="404") == 1
    # The first scrape is counted too, once it has answered.
    assert grew(before, after, responses, endpoint="internal.metrics", status="200") == 1


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_labels_never_take_a_value_from_the_client(client: FlaskClient) -> None:
    before = scrape(client)
    client.get("/no/such/page/secret-path-4712")
    client.open("/healthz", method="BREW")
    client.open("/no/such/page", method="PROPFIND")
    response = client.get("/metrics", headers=OPERATOR)
    text = response.get_data(as_text=True)
    for client_chosen in ("secret-path-4712", "/no/such", "BREW", "PROPFIND"):
        assert client_chosen not in text
    after = parse(text)
    latency = "sapling_http_request_duration_seconds_count"
    assert grew(before, after, latency, endpoint="unmatched", method="other") == 2
    responses = "sapling_http_responses_total"
    assert grew(before, after, responses, endpoint="unmatched", status="405") == 1


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_a_failure_in_metrics_never_breaks_a_request(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_labels: str) -> None:
        raise RuntimeError("metrics storage is gone")

    monkeypatch.setattr(metrics.RESPONSES, "labels", broken)
    monkeypatch.setattr(metrics.LOGINS, "labels", broken)
    with caplog.at_level(logging.ERROR, logger="app.core.metrics"):
        assert client.get("/healthz").status_code == 200
        metrics.count_login(success=True)
    assert "Request metrics could not be recorded" in caplog.text
    assert "The login metric could not be recorded" in caplog.text


# --- Logins and rate limits -------------------------------------------------------------------


LOGINS = "sapling_logins_total"


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_logins_are_counted_by_outcome(client: FlaskClient, auth: AuthActions, user: User) -> None:
    before = scrape(client)
    assert auth.login("juniper", "not the password at all").status_code == 401
    assert auth.login("nobody-by-this-name", "whatever it is").status_code == 401
    assert auth.login("juniper").status_code == 303
    after = scrape(client)
    assert grew(before, after, LOGINS, outcome="failure") == 2
    assert grew(before, after, LOGINS, outcome="success") == 1


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_a_login_with_a_second_step_counts_once_and_a_wrong_code_fails(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    secret, _codes = enable_totp(auth)
    auth.logout()
    with app.app_context():  # the enrolment used the current step
        db.session.execute(sa.update(TotpFactor).values(last_used_step=0))
        db.session.commit()

    before = scrape(client)
    assert auth.login("juniper").headers["Location"] == "/login/verify"
    assert auth.post("/login/verify", {"code": "123456"}).status_code == 401
    assert auth.post("/login/verify", {"code": code_at(secret)}).status_code == 303
    after = scrape(client)
    assert grew(before, after, LOGINS, outcome="failure") == 1
    assert grew(before, after, LOGINS, outcome="success") == 1


@pytest.mark.config(INTERNAL_API_KEYS=[KEY], RATELIMIT_LOGIN="1 per minute")
def test_a_tripped_rate_limit_is_counted_by_endpoint(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    before = scrape(client)
    assert auth.login("juniper", "not the password at all").status_code == 401
    assert auth.login("juniper", "not the password either").status_code == 429
    after = scrape(client)
    assert grew(before, after, "sapling_rate_limit_hits_total", limit="auth.login") == 1
    assert grew(before, after, LOGINS, outcome="failure") == 1  # the limited one never ran


@pytest.mark.config(
    INTERNAL_API_KEYS=[KEY], RATELIMIT_EMAIL_ADDRESS="1 per hour", RATELIMIT_EMAIL="100 per minute"
)
def test_a_per_account_limit_is_counted(app: Flask, user: User) -> None:
    statuses = []
    before = scrape(app.test_client())
    for n in (1, 2):  # two clients, one inbox
        visitor = AuthActions(app.test_client())
        visitor.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"
        statuses.append(visitor.post("/password/forgot", {"email": "juniper@example.org"}))
    after = scrape(app.test_client())
    assert [response.status_code for response in statuses] == [200, 429]
    hits = grew(before, after, "sapling_rate_limit_hits_total", limit="auth.forgot_password")
    assert hits == 1


@pytest.mark.config(
    INTERNAL_API_KEYS=[KEY], LOCK_AFTER_FAILURES=1, CAPTCHA_AFTER_ACCOUNT_FAILURES=100
)
def test_a_locked_login_counts_as_a_rate_limit_hit(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    before = scrape(client)
    assert auth.login("juniper", "not the password at all").status_code == 429
    after = scrape(client)
    assert grew(before, after, "sapling_rate_limit_hits_total", limit="auth.login") == 1
    assert grew(before, after, LOGINS, outcome="failure") == 1


# --- Read at scrape time ----------------------------------------------------------------------


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_queues_are_zero_when_nothing_waits(client: FlaskClient) -> None:
    samples = scrape(client)
    for name in (
        "sapling_outbox_backlog",
        "sapling_outbox_oldest_age_seconds",
        "sapling_exports_pending",
        "sapling_exports_oldest_age_seconds",
        "sapling_videos_pending",
        "sapling_videos_oldest_age_seconds",
    ):
        assert (name, frozenset()) in samples
        assert value(samples, name) == 0
    assert value(samples, "sapling_info", version=__version__) == 1


@pytest.mark.config(
    INTERNAL_API_KEYS=[KEY], DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
)
def test_a_scrape_still_answers_when_the_database_is_down(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="app.core.metrics"):
        samples = scrape(client)
    assert value(samples, "sapling_info", version=__version__) == 1
    assert ("sapling_outbox_backlog", frozenset()) not in samples
    assert "The queue metrics could not be read" in caplog.text


@pytest.mark.config(INTERNAL_API_KEYS=[KEY])
def test_queues_are_read_from_the_database_when_scraped(
    app: Flask, client: FlaskClient, user: User
) -> None:
    before = scrape(client)
    now = utcnow()
    mail = {"to_address": "juniper@example.org", "subject": "Hi", "text_body": "", "html_body": ""}
    with app.app_context():
        db.session.add_all(
            [
                OutboxMessage(**mail, created_at=now - timedelta(minutes=10)),
                OutboxMessage(**mail, created_at=now - timedelta(minutes=1)),
                OutboxMessage(**mail, created_at=now - timedelta(hours=5), sent_at=now),
                DataExport(user_id=user.id, requested_at=now - timedelta(minutes=3)),
                DataExport(
                    user_id=user.id,
                    status=ExportStatus.BUILDING,
                    requested_at=now - timedelta(hours=2),
                ),
            ]
        )
        db.session.commit()
    after = scrape(client)
    assert grew(before, after, "sapling_outbox_backlog") == 2
    assert 600 <= value(after, "sapling_outbox_oldest_age_seconds") < 660
    assert grew(before, after, "sapling_exports_pending") == 1  # being built is not waiting
    assert 180 <= value(after, "sapling_exports_oldest_age_seconds") < 240

    readyz = client.get("/internal/readyz", headers=OPERATOR).get_json()
    assert readyz["queues"]["outbox"]["waiting"] == value(after, "sapling_outbox_backlog")
    assert readyz["queues"]["exports"]["oldest_age_seconds"] >= 180


# --- Several worker processes -----------------------------------------------------------------

WORKER = """
import sys
from app import create_app
from app.config import TestingConfig
from app.core import metrics

database_url, media_root, key, role = sys.argv[1:]
app = create_app(
    TestingConfig({}),
    {"DATABASE_URL": database_url, "MEDIA_ROOT": media_root, "INTERNAL_API_KEYS": [key]},
)
client = app.test_client()
if role == "worker":
    assert client.get("/healthz").status_code == 200
    metrics.count_login(success=False)
else:
    response = client.get("/metrics", headers={"Authorization": "Bearer " + key})
    assert response.status_code == 200, response.status_code
    sys.stdout.write(response.get_data(as_text=True))
"""


def run_process(
    role: str, database_url: str, tmp_path: Path, folder: Path
) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 (our own script, with arguments from this test)
        [sys.executable, "-c", WORKER, database_url, str(tmp_path / "media"), KEY, role],
        cwd=ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_in_multiprocess_mode_a_scrape_adds_up_every_worker(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    workers = [run_process("worker", database_url, tmp_path, folder) for _ in range(2)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    collector = run_process("collector", database_url, tmp_path, folder)
    out, err = collector.communicate(timeout=120)
    assert collector.returncode == 0, err

    samples = parse(out)
    healthz = {"endpoint": "health.healthz"}
    assert value(samples, "sapling_http_responses_total", **healthz, status="200") == 2
    assert (
        value(samples, "sapling_http_request_duration_seconds_count", **healthz, method="GET") == 2
    )
    assert value(samples, "sapling_logins_total", outcome="failure") == 2
    assert value(samples, "sapling_info", version=__version__) == 1
    assert ("sapling_outbox_backlog", frozenset()) in samples
    # Each process wrote its own files; none of the metrics is this test process's.
    assert len({path.name.rsplit("_", 1)[1] for path in folder.glob("*.db")}) == 3


def test_gunicorn_drops_a_dead_workers_live_gauges_but_keeps_its_counters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("counter_4242.db", "histogram_4242.db", "gauge_livesum_4242.db"):
        (tmp_path / name).write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    hooks["child_exit"](None, SimpleNamespace(pid=4242))

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_4242.db",
        "histogram_4242.db",
    ]


def test_gunicorn_starts_from_an_empty_metrics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "counter_17.db").write_bytes(b"")
    (tmp_path / "leftover").mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    hooks["on_starting"](None)

    assert list(tmp_path.iterdir()) == []
