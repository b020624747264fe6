"""The landing page and static assets."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import ConfigError, ProductionConfig
from app.views.assets import asset_url


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
        url = asset_url("css/app.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url)
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
