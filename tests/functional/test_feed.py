"""The home feed and the lists: order and keyset pages (query counts: test_query_counts)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User, utcnow
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions


def post_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="post-(\d+)-author"', html)]


@pytest.fixture
def reader(app: Flask) -> User:
    return create_user(app, "reader")


def test_the_feed_shows_followed_and_own_posts_newest_first(app: Flask, reader: User) -> None:
    friend, stranger = create_user(app, "friend"), create_user(app, "stranger")
    follow(app, reader, friend)
    mine = create_post(app, reader, "mine")
    theirs = create_post(app, friend, "theirs")
    create_post(app, stranger, "not followed")
    client = app.test_client()
    AuthActions(client).login("reader")
    assert post_ids(client.get("/home").get_data(as_text=True)) == [theirs.id, mine.id]


@pytest.mark.config(FEED_PAGE_SIZE=3)
def test_keyset_pages_cover_every_post_once(app: Flask, reader: User) -> None:
    made = [create_post(app, reader, f"post {n}").id for n in range(7)]
    client = app.test_client()
    AuthActions(client).login("reader")
    seen: list[int] = []
    path = "/home"
    while True:
        html = client.get(path).get_data(as_text=True)
        seen += post_ids(html)
        match = re.search(r'href="\?before=(\d+)" rel="next"', html)
        if not match:
            break
        path = f"/home?before={match.group(1)}"
    assert seen == sorted(made, reverse=True)


@pytest.mark.config(FEED_PAGE_SIZE=3)
def test_pages_interleave_followed_accounts_however_unevenly_they_post(
    app: Flask, reader: User
) -> None:
    """The feed takes a page's worth from each account, then the newest of those: the
    pages must still be one newest-first list, whoever posted most."""
    busy, quiet, gone = (create_user(app, name) for name in ("busy", "quiet", "gone"))
    for friend in (busy, quiet, gone):
        follow(app, reader, friend)
    authors = [busy] * 5 + [quiet, busy, reader, busy, busy, gone, quiet] + [busy] * 4
    made = {create_post(app, author, "hello").id: author.id for author in authors}
    with app.app_context():
        account = db.session.get(User, gone.id)
        assert account is not None
        account.deletion_requested_at = utcnow()
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("reader")
    seen: list[int] = []
    path = "/home"
    for _ in range(len(made)):  # a cursor that does not move would loop forever
        html = client.get(path).get_data(as_text=True)
        seen += post_ids(html)
        match = re.search(r'href="\?before=(\d+)" rel="next"', html)
        if not match:
            break
        path = f"/home?before={match.group(1)}"
    expected = [post for post, author in made.items() if author != gone.id]
    assert seen == sorted(expected, reverse=True)


def test_a_malformed_cursor_is_a_400(client: FlaskClient) -> None:
    for bad in ("abc", "-1", "1e9", "99999999999999999999", "１２"):
        assert client.get(f"/explore?before={bad}").status_code == 400, bad
