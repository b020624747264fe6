"""The unread badge on every signed-in page: right at once, cheap on every page after."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Post
from tests.factories import create_post, create_user
from tests.support.apps import REDIS_URL
from tests.support.members import badge, login, send
from tests.support.queries import count_queries

needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="the count is cached in Redis")


@dataclass(frozen=True)
class Cast:
    post: Post  # alice's
    reader: FlaskClient  # alice, signed in
    bob: FlaskClient


@pytest.fixture
def cast(app: Flask) -> Cast:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    return Cast(create_post(app, alice), login(app, "alice"), login(app, "bob"))


def test_the_badge_follows_new_notifications_and_reading_them(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    first, second = create_post(app, alice), create_post(app, alice)
    reader, bob = login(app, "alice"), login(app, "bob")
    assert badge(reader) == 0

    send(bob, f"/p/{first.id}/like", on="1")
    assert badge(reader) == 1
    send(bob, f"/p/{second.id}/like", on="1")
    assert badge(reader) == 2
    send(bob, f"/p/{second.id}/like", on="0")  # an unlike takes its notification back
    assert badge(reader) == 1
    send(reader, "/notifications/read")
    assert badge(reader) == 0
    send(bob, "/@alice/follow")
    assert badge(reader) == 1


def test_a_block_clears_what_the_blocked_account_caused(cast: Cast) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")
    assert badge(cast.reader) == 1

    send(cast.reader, "/@bob/block")

    assert badge(cast.reader) == 0


@needs_redis
def test_after_the_first_page_the_count_costs_no_query(app: Flask, cast: Cast) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")

    with count_queries(app) as first:
        assert badge(cast.reader) == 1
    with count_queries(app) as second:
        assert badge(cast.reader) == 1

    assert len(second) == len(first) - 1


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens on the discard port
def test_without_redis_the_badge_is_counted_in_the_database(cast: Cast) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")

    assert badge(cast.reader) == 1
