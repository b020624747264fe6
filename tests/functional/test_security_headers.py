"""Every response carries the security headers, whatever produced it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from tests.support.pages import csrf_token_for
from tests.support.production import production_app

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(headers: dict[str, str] | object) -> None:
    for name, value in EXPECTED.items():
        assert headers[name] == value, name  # type: ignore[index]
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "http" not in csp, "no third-party origin may be allowed"
    assert "camera=()" in headers["Permissions-Policy"]  # type: ignore[index]
    assert "geolocation=()" in headers["Permissions-Policy"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/healthz", 200),
        ("GET", "/readyz", 200),
        ("GET", "/static/css/base.css", 200),
        ("GET", "/_gallery/", 200),
        ("GET", "/no-such-page", 404),
        ("DELETE", "/", 405),
        ("POST", "/_gallery/", 400),
    ],
)
def test_every_response_carries_security_headers(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    with client.open(path, method=method) as response:
        assert response.status_code == status
        assert_security_headers(response.headers)
        assert "Strict-Transport-Security" not in response.headers  # only in production


def test_server_errors_carry_security_headers(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response.headers)


def test_session_cookie_is_http_only_and_same_site_lax(client: FlaskClient) -> None:
    client.get("/_gallery/")  # rendering a form stores the CSRF secret in the session
    cookie = client.get_cookie("sapling_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # plain HTTP outside production, so `make run` works


def test_production_adds_hsts_and_upgrades_insecure_requests() -> None:
    response = production_app().test_client().get("/", base_url="https://sapling.example")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "upgrade-insecure-requests" in response.headers["Content-Security-Policy"]
    assert_security_headers(response.headers)


def test_production_session_cookie_is_secure_with_host_prefix() -> None:
    app = production_app()

    @app.get("/form")
    def form() -> str:
        return f'<input name="csrf_token" value="{generate_csrf()}">'

    response = app.test_client().get("/form", base_url="https://sapling.example")
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith("__Host-sapling_session=")
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes  # __Host- cookies are host-only
    assert "SameSite=Lax" in set_cookie
    assert "Path=/" in set_cookie


def test_production_hides_the_component_gallery() -> None:
    assert production_app().test_client().get("/_gallery/").status_code == 404


def test_gallery_form_posts_with_a_token(client: FlaskClient) -> None:
    token = csrf_token_for(client)
    response = client.post(
        "/_gallery/", data={"csrf_token": token, "display_name": "Ash", "email": "ash@example.org"}
    )
    assert response.status_code == 200
    assert_security_headers(response.headers)
