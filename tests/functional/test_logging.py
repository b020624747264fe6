"""Logs: a request id on every line, secrets on none."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import ProductionConfig
from app.extensions import csrf

SECRETS = {
    "password": "correct-horse-battery-staple-1",
    "token": "tok_3f9a8b7c6d5e4f3a2b1c",
    "cookie": "cookie-value-5c4b3a29",
    "csrf": "csrf-value-9e8d7c6b5a",
    "bearer": "bearer-value-1a2b3c4d",
}


def test_response_carries_a_generated_request_id(client: FlaskClient) -> None:
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_incoming_request_id_is_kept(client: FlaskClient) -> None:
    response = client.get("/", headers={"X-Request-ID": "edge-4f1c2d3e-0001"})
    assert response.headers["X-Request-ID"] == "edge-4f1c2d3e-0001"


@pytest.mark.parametrize(
    "hostile", ["x", "a" * 200, "id;Set-Cookie=evil\t1", "<script>", "id with spaces"]
)
def test_malformed_request_id_is_replaced(client: FlaskClient, hostile: str) -> None:
    response = client.get("/", headers={"X-Request-ID": hostile})
    assert response.headers["X-Request-ID"] != hostile
    assert len(response.headers["X-Request-ID"]) == 32


def test_every_log_line_of_a_request_has_its_id(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    @app.get("/_test/chatty")
    def chatty() -> str:
        logging.getLogger("sapling.test").warning("working on it")
        return "done"

    response = app.test_client().get("/_test/chatty", headers={"X-Request-ID": "req-chatty-0001"})
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    ours = [line for line in lines if "working on it" in line or "/_test/chatty" in line]
    assert len(ours) == 2
    assert all("[req-chatty-0001]" in line for line in ours)
    assert response.headers["X-Request-ID"] == "req-chatty-0001"


def test_secrets_never_reach_the_logs(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.post("/_test/fail")
    @csrf.exempt
    def fail() -> str:
        # A careless log line and an exception that carry secrets in their text.
        logging.getLogger("sapling.test").info("login attempt password=%s", SECRETS["password"])
        details = {"password": SECRETS["password"], "token": SECRETS["token"]}
        raise ValueError(f"bad credentials {details}")

    client = app.test_client()
    client.set_cookie("sapling_session", SECRETS["cookie"])
    client.get(f"/?token={SECRETS['token']}&password={SECRETS['password']}")
    client.post("/_gallery/", data={"csrf_token": SECRETS["csrf"], "display_name": "x"})
    client.post(
        "/_test/fail",
        data={"password": SECRETS["password"]},
        headers={
            "Authorization": f"Bearer {SECRETS['bearer']}",
            "Cookie": f"sapling_session={SECRETS['cookie']}",
        },
    )

    output = capsys.readouterr().err
    assert "ValueError" in output, "the failure itself must still be logged"
    assert "[redacted]" in output
    for name, value in SECRETS.items():
        assert value not in output, f"{name} leaked into the logs"


def test_link_tokens_in_paths_never_reach_the_logs(
    client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "Zx9" + "k" * 40  # as long as the tokens of sign-in and reset links
    client.get(f"/password/reset/{token}")
    client.get(f"/verify/{token}")

    output = capsys.readouterr().err
    assert "/password/reset/[redacted]" in output
    assert "/verify/[redacted]" in output
    assert token not in output


def test_production_logs_are_json_with_the_request_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    environ = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "sqlite://",
        "MEDIA_ROOT": str(tmp_path),
        "BASE_URL": "https://sapling.example.org",
    }
    config = ProductionConfig(environ)
    app = create_app(config)
    app.test_client().get(
        "/healthz?token=abc123secret", headers={"X-Request-ID": "json-req-000001"}
    )
    records = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    request_line = next(r for r in records if r["logger"] == "sapling.request")
    assert request_line["request_id"] == "json-req-000001"
    assert request_line["level"] == "INFO"
    assert "GET /healthz 200" in request_line["message"]
    assert "abc123secret" not in json.dumps(records)
