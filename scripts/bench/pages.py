"""The pages measured, how to find them in a dataset, their SQL queries and their weight."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from app import create_app
from app.config import ProductionConfig, sqlalchemy_url
from scripts.bench.client import FORWARDED, Browser
from tests.support.queries import count_queries

POST_LINK = re.compile(r'href="/p/(\d+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script src="([^"]+)"')


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    logged_in: bool  # as `demo`; landing and login are only ever seen logged out


def find_pages(browser: Browser, database_url: str) -> list[Page]:
    """The eight pages, pointed at this dataset's data.

    profile: the most-followed public account; post: the newest post in demo's
    feed (what a reader opens); hashtag: the most-used tag (its page pages through
    the most rows). All but landing and login are seen logged in as ``demo``.
    """
    feed = browser.get("/home")
    post = POST_LINK.search(feed.text)
    if feed.status_code != 200 or post is None:
        raise RuntimeError(f"demo's feed answered {feed.status_code} without a post")
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            star = connection.execute(
                sa.text(
                    "SELECT username FROM users WHERE NOT is_private AND username <> 'demo' "
                    "ORDER BY follower_count DESC, id LIMIT 1"
                )
            ).scalar_one()
            tag = connection.execute(
                sa.text(
                    "SELECT h.name FROM hashtags h JOIN post_hashtags ph ON ph.hashtag_id = h.id "
                    "GROUP BY h.name ORDER BY count(*) DESC, h.name LIMIT 1"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return [
        Page("landing", "/", logged_in=False),
        Page("login", "/login", logged_in=False),
        Page("feed", "/home", logged_in=True),
        Page("profile", f"/@{star}", logged_in=True),
        Page("post", f"/p/{post.group(1)}", logged_in=True),
        Page("hashtag", f"/tags/{quote(tag)}", logged_in=True),
        Page("explore", "/explore", logged_in=True),
        Page("notifications", "/notifications/", logged_in=True),
    ]


def check_pages(pages: Iterable[Page], anonymous: Browser, member: Browser) -> dict[str, int]:
    """Each page answers 200 (wrk alone would count a redirect as a success); body sizes."""
    sizes = {}
    for page in pages:
        response = (member if page.logged_in else anonymous).get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name} ({page.path}) answered {response.status_code}")
        sizes[page.name] = len(response.content)
    return sizes


def query_counts(env: dict[str, str], pages: Iterable[Page], cookie: str) -> dict[str, int]:
    """SQL statements per request, counted in this process with Flask's test client.

    The same configuration and database as the server; each page is requested
    once first so that one-off work (a session touch) does not count.
    """
    app = create_app(ProductionConfig({**env, "LOG_LEVEL": "WARNING"}))
    client = app.test_client(use_cookies=False)
    counts = {}
    for page in pages:
        headers: dict[str, Any] = {**FORWARDED, **({"Cookie": cookie} if page.logged_in else {})}
        client.get(page.path, headers=headers, base_url="https://localhost")
        with count_queries(app) as statements:
            response = client.get(page.path, headers=headers, base_url="https://localhost")
        if response.status_code != 200:
            raise RuntimeError(f"{page.name}: the test client got {response.status_code}")
        counts[page.name] = len(statements)
    with app.app_context():
        from app.extensions import db  # noqa: PLC0415 (bound to this app only now)

        for engine in db.engines.values():
            engine.dispose()
    return counts


def page_weight(browser: Browser, path: str) -> dict[str, Any]:
    """The page's HTML plus the CSS and JavaScript it links, uncompressed and gzipped."""
    html = browser.get(path).content
    text = html.decode()
    files = {path: html}
    for asset in STYLESHEET.findall(text) + SCRIPT.findall(text):
        response = browser.get(asset.replace("&amp;", "&"))
        if response.status_code != 200:
            raise RuntimeError(f"{asset} answered {response.status_code}")
        files[asset.split("?")[0]] = response.content
    parts = {
        name: {"bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6))}
        for name, body in files.items()
    }
    return {
        "files": parts,
        "bytes": sum(part["bytes"] for part in parts.values()),
        "gzip_bytes": sum(part["gzip_bytes"] for part in parts.values()),
    }
