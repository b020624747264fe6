"""The unread badge on every signed-in page: right at once, cheap on every page after."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Notification, Post, User
from app.services.content import interactions, notifications, social
from tests.factories import create_post, create_user
from tests.support.apps import REDIS_URL
from tests.support.members import badge, login, send
from tests.support.queries import BUDGET, count_queries

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


def test_opening_the_page_marks_what_it_shows_as_read(cast: Cast) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")
    send(cast.bob, "/@alice/follow")
    assert badge(cast.reader) == 2

    page = cast.reader.get("/notifications/").get_data(as_text=True)

    assert page.count("New: </span>") == 2  # shown as new this once
    assert 'class="nav__badge"' not in page  # and the badge on this very page is clear
    assert badge(cast.reader) == 0
    again = cast.reader.get("/notifications/").get_data(as_text=True)
    assert "New: </span>" not in again and "liked your post." in again
    assert "Mark all as read" not in again


def test_a_notification_arriving_while_the_page_is_drawn_stays_unread(
    app: Flask, cast: Cast
) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")
    with app.test_request_context():
        alice, bob = (
            db.session.scalars(select(User).where(User.username == name)).one()
            for name in ("alice", "bob")
        )
        shown = notifications.recent(alice, None, 30).items
        social.follow(bob, alice)  # after the page's query, before it marks what it showed
        notifications.mark_seen(alice, shown)
        db.session.commit()

    assert badge(cast.reader) == 1
    assert "started following you." in cast.reader.get("/notifications/").get_data(as_text=True)
    assert badge(cast.reader) == 0


def test_more_than_a_page_unread_offers_the_rest_up_to_the_newest_shown(
    app: Flask, cast: Cast
) -> None:
    fans = [create_user(app, f"fan{number}") for number in range(32)]
    with app.test_request_context():
        post = db.session.scalars(
            select(Post).where(Post.id == cast.post.id).options(joinedload(Post.author))
        ).one()
        for fan in fans:
            liker = db.session.get(User, fan.id)
            assert liker is not None
            interactions.like(liker, post)
        db.session.commit()
        newest = db.session.scalar(select(func.max(Notification.id)))

    page = cast.reader.get("/notifications/").get_data(as_text=True)
    assert page.count("New: </span>") == 30
    assert f'action="/notifications/read?through={newest}"' in page
    assert badge(cast.reader) == 2  # the two on the next page

    send(cast.bob, f"/p/{cast.post.id}/like", on="1")  # after the page was drawn
    assert send(cast.reader, f"/notifications/read?through={newest}") == 303
    assert badge(cast.reader) == 1  # Bob's like, newer than the page, is still unread
    assert send(cast.reader, "/notifications/read?through=x") == 400


def test_the_page_with_new_notifications_keeps_to_the_query_budget(app: Flask, cast: Cast) -> None:
    send(cast.bob, f"/p/{cast.post.id}/like", on="1")
    with count_queries(app) as fresh:
        cast.reader.get("/notifications/")
    with count_queries(app) as seen:
        cast.reader.get("/notifications/")
    assert len(seen) <= len(fresh) <= BUDGET
