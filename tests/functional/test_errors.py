"""Error pages: friendly HTML with the right status, and never a detail from inside."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from app.extensions import limiter

SECRET_DETAIL = "db-password-hunter2 at /srv/sapling/app/secret.py"
LEAKS = ("Traceback", "RuntimeError", "hunter2", "/srv/sapling", ".py", "Werkzeug", "werkzeug")


@pytest.fixture
def error_app(app: Flask) -> Flask:
    """The test app with routes that fail in each way a real route can."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production, not as a debugger

    @app.get("/_test/crash")
    def crash() -> str:
        raise RuntimeError(SECRET_DETAIL)

    @app.get("/_test/forbidden")
    def forbidden() -> str:
        abort(403)

    @app.get("/_test/bad")
    def bad() -> str:
        abort(400)

    @app.get("/_test/limited")
    @limiter.limit("1 per minute")
    def limited() -> str:
        return "ok"

    return app


def assert_leaks_nothing(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/_test/bad", 400, "Bad request"),
        ("GET", "/_test/forbidden", 403, "Not allowed"),
        ("GET", "/definitely/not/here", 404, "Page not found"),
        ("PUT", "/", 405, "Not allowed here"),
        ("GET", "/_test/crash", 500, "Something went wrong"),
    ],
)
def test_error_pages_are_friendly_html(
    error_app: Flask, method: str, path: str, status: int, title: str
) -> None:
    response = error_app.test_client().open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert f'<h1 id="error-title">{title}</h1>' in text
    assert_leaks_nothing(text)


def test_too_large_request_gets_413(error_app: Flask) -> None:
    error_app.config["MAX_CONTENT_LENGTH"] = 1024
    response = error_app.test_client().post("/_gallery/", data={"bio": "x" * 4096})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_rate_limited_request_gets_429_with_retry_after(error_app: Flask) -> None:
    client = error_app.test_client()
    assert client.get("/_test/limited").status_code == 200
    response = client.get("/_test/limited")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Slow down" in response.get_data(as_text=True)


def test_404_does_not_echo_the_requested_path(client: FlaskClient) -> None:
    response = client.get("/<script>alert(1)</script>")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "<script>alert(1)" not in text
    assert "alert(1)" not in text


def test_500_rolls_back_and_still_renders_when_templates_fail(error_app: Flask) -> None:
    error_app.jinja_env.globals["asset_url"] = None  # every template using it now fails
    response = error_app.test_client().get("/_test/crash")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text
    assert_leaks_nothing(text)
