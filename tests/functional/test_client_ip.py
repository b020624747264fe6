"""X-Forwarded-For is believed only across the configured number of proxies."""

from __future__ import annotations

import pytest
from flask import Flask

from app.core.client_ip import client_ip


@pytest.fixture
def ip_app(app: Flask) -> Flask:
    @app.get("/_test/ip")
    def whoami() -> str:
        return client_ip()

    return app


def ask(app: Flask, forwarded_for: str | None, remote: str = "198.51.100.7") -> str:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = app.test_client().get(
        "/_test/ip", headers=headers, environ_base={"REMOTE_ADDR": remote}
    )
    return response.get_data(as_text=True)


@pytest.mark.config(TRUSTED_PROXY_COUNT=0)
def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies(ip_app: Flask) -> None:
    assert ask(ip_app, "203.0.113.66") == "198.51.100.7"
    assert ask(ip_app, "203.0.113.66, 10.0.0.1") == "198.51.100.7"


@pytest.mark.config(TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_reports_the_hop_it_saw(ip_app: Flask) -> None:
    # nginx appends the address it saw; anything before that came from the client.
    assert ask(ip_app, "203.0.113.66") == "203.0.113.66"
    assert ask(ip_app, "6.6.6.6, 203.0.113.66") == "203.0.113.66"


@pytest.mark.config(TRUSTED_PROXY_COUNT=2)
def test_too_few_hops_fall_back_to_the_socket_address(ip_app: Flask) -> None:
    assert ask(ip_app, "203.0.113.66") == "198.51.100.7"
    assert ask(ip_app, "6.6.6.6, 203.0.113.66, 192.0.2.1") == "203.0.113.66"


@pytest.mark.config(TRUSTED_PROXY_COUNT=0)
def test_request_log_uses_the_real_client(
    ip_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(ip_app, "203.0.113.66")
    log = capsys.readouterr().err
    assert "client=198.51.100.0" in log
    assert "203.0.113" not in log
