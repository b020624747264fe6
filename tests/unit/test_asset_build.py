"""The minified build of the stylesheets and scripts (app/views/asset_build.py), and which
file a page links (app/views/assets.py): the build while it is current, the source otherwise."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from app.views.asset_build import build
from app.views.assets import asset_url

CSS = """/* The brand's colours: a comment the browser never needs. */
.card {
  color: #123456;
  margin: 0 auto;
}
"""
JS = """// Say hello, with a comment and indentation.
"use strict";
function greet(name) {
  return "Hello, " + name;
}
"""


@pytest.fixture
def static(tmp_path: Path) -> Path:
    (tmp_path / "css").mkdir()
    (tmp_path / "js").mkdir()
    (tmp_path / "img").mkdir()
    (tmp_path / "css" / "card.css").write_text(CSS)
    (tmp_path / "js" / "greet.js").write_text(JS)
    (tmp_path / "img" / "logo.svg").write_text("<svg/>")
    return tmp_path


def site(static: Path, *, debug: bool) -> Flask:
    app = Flask(__name__, static_folder=str(static), static_url_path="/static")
    app.debug = debug
    return app


def linked(app: Flask, name: str) -> str:
    with app.test_request_context():
        return asset_url(name)


def test_the_build_writes_a_smaller_copy_of_each_stylesheet_and_script(static: Path) -> None:
    built = {item.name: item for item in build(static)}
    assert set(built) == {"css/card.css", "js/greet.js"}  # images are left as they are
    css = (static / "dist" / "css" / "card.css").read_text()
    js = (static / "dist" / "js" / "greet.js").read_text()
    assert css == ".card{color:#123456;margin:0 auto}"
    assert js == '"use strict";function greet(name){return"Hello, "+name;}'
    assert all(item.built_bytes < item.source_bytes for item in built.values())
    assert not (static / "dist" / "img").exists()


def test_pages_link_the_build_and_it_is_served(static: Path) -> None:
    build(static)
    app = site(static, debug=False)
    url = linked(app, "css/card.css")
    assert url.startswith("/static/dist/css/card.css?v=")
    with app.test_client().get(url.split("?")[0]) as response:
        assert response.get_data(as_text=True) == ".card{color:#123456;margin:0 auto}"
    assert linked(app, "img/logo.svg").startswith("/static/img/logo.svg?v=")


def test_an_edited_source_is_served_as_written_until_the_next_build(static: Path) -> None:
    build(static)
    app = site(static, debug=True)  # development: every call looks at the files again
    (static / "css" / "card.css").write_text(CSS.replace("#123456", "#654321"))
    edited = linked(app, "css/card.css")
    assert edited.startswith("/static/css/card.css?v="), "never the stale minified copy"
    build(static)
    rebuilt = linked(app, "css/card.css")
    assert rebuilt.startswith("/static/dist/css/card.css?v=")
    assert "#654321" in (static / "dist" / "css" / "card.css").read_text()


def test_without_a_build_production_serves_the_sources_and_says_so(
    static: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = site(static, debug=False)
    with caplog.at_level(logging.WARNING, logger="app.views.assets"):
        assert linked(app, "js/greet.js").startswith("/static/js/greet.js?v=")
    assert "js/greet.js is served unminified: run `python -m app.views.asset_build`" in (
        caplog.text
    )


def test_a_second_build_of_the_same_files_leaves_them_untouched(static: Path) -> None:
    build(static)
    built = static / "dist" / "css" / "card.css"
    before = built.stat().st_mtime_ns
    build(static)
    assert built.stat().st_mtime_ns == before  # nginx's ETag and Last-Modified hold
    assert not list((static / "dist").rglob(".*")), "no temporary file left"


def test_a_damaged_manifest_means_the_sources_are_served(static: Path) -> None:
    build(static)
    (static / "dist" / "manifest.json").write_text("{not json")
    assert linked(site(static, debug=True), "css/card.css").startswith("/static/css/card.css")
