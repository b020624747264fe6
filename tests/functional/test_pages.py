"""The landing page and static assets."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import ConfigError, ProductionConfig
from app.models import User
from app.views.assets import asset_url
from tests.support.auth import AuthActions


def test_landing_page_introduces_sapling(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<title>Sapling</title>" in text
    assert "No trackers" in text
    assert 'href="#main"' in text, "a skip link leads to the content"


def test_pages_load_nothing_from_third_parties(client: FlaskClient) -> None:
    text = client.get("/").get_data(as_text=True) + client.get("/_gallery/").get_data(as_text=True)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', text)


def test_no_inline_script_or_style(client: FlaskClient) -> None:
    for path in ("/", "/_gallery/", "/missing"):
        text = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text and " style=" not in text, path
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler on {path}"


def test_static_urls_are_fingerprinted_and_served(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        url = asset_url("css/base.css")
    assert re.fullmatch(r"/static/dist/css/base\.css\?v=[0-9a-f]{12}", url)  # minified
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"


def test_manifest_is_served_as_a_web_manifest(client: FlaskClient) -> None:
    with client.get("/static/brand/manifest.webmanifest") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/manifest+json"
        names = {icon["src"] for icon in response.get_json(force=True)["icons"]}
    assert {"icon-192.png", "icon-512.png"} <= names


def test_asset_urls_refuse_missing_files_and_traversal(app: Flask) -> None:
    import pytest

    with app.test_request_context():
        for name in ("css/missing.css", "../config.py", "../../wsgi.py"):
            with pytest.raises(FileNotFoundError):
                asset_url(name)


@pytest.mark.config(SOURCE_URL="https://code.example.org/sapling/tree/v0.7.0")
def test_every_page_offers_the_source_code_when_the_operator_says_where(
    client: FlaskClient,
) -> None:
    for path in ("/", "/login", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert '<a href="https://code.example.org/sapling/tree/v0.7.0">Source code</a>' in page


def test_a_source_address_must_be_an_http_url() -> None:
    with pytest.raises(ConfigError, match="SOURCE_URL"):
        ProductionConfig({"SECRET_KEY": "k" * 40, "DATABASE_URL": "x", "SOURCE_URL": "ftp://x"})


def test_the_passkey_script_loads_only_where_passkeys_are_used(client: FlaskClient) -> None:
    assert "js/passkeys.js" in client.get("/login").get_data(as_text=True)
    assert "js/passkeys.js" not in client.get("/").get_data(as_text=True)
    assert "js/passkeys.js" not in client.get("/explore").get_data(as_text=True)


def test_icons_come_from_one_cached_sprite(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login(user.username)
    page = client.get("/home").get_data(as_text=True)
    sprite = asset_url_in(page, "img/icons.svg")
    assert sprite, "pages link the icon sprite"
    with client.get(sprite.split("#")[0]) as response:
        symbols = response.get_data(as_text=True)
    for name in re.findall(r'icons\.svg\?v=\w+#(\w+)"', page):
        assert f'<symbol id="{name}"' in symbols


def asset_url_in(page: str, name: str) -> str | None:
    match = re.search(rf'href="(/static/{re.escape(name)}\?v=\w+#\w+)"', page)
    return match.group(1) if match else None
