"""How many SQL statements each page sends: a fixed number, whatever the data and page size.

The budget is six per page (issue #10), the session and the signed-in account
included. Each page is measured on a small world, and again once the world has
grown: more posts with more photos, followers, likes, comments, notifications,
full pages and more after them. An N+1 shows up as a count that grew.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask

from app.extensions import db
from app.models import Post, User
from app.services.content import interactions
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions
from tests.support.queries import BUDGET, count_queries

LISTS = ("feed", "profile", "hashtag", "explore")


@dataclass(frozen=True)
class World:
    reader: User  # signed in; follows friend
    friend: User  # posts #meadow photos that mention the reader
    fan: User
    post_id: int  # a post of friend's, for the post page
    own_post_id: int  # the reader's post that others like and comment on


def pages(world: World) -> dict[str, tuple[str, bool]]:
    """Each page: its path, and whether the reader is signed in to see it."""
    post = f"/p/{world.post_id}"
    return {
        "landing": ("/", False),
        "login": ("/login", False),
        "feed": ("/home", True),
        "profile": ("/@friend", True),
        "profile, signed out": ("/@friend", False),
        "post": (post, True),
        "post, signed out": (post, False),
        "likes": (post + "/likes", True),
        "likes, signed out": (post + "/likes", False),
        "search": ("/search?q=mea", True),
        "search, signed out": ("/search?q=%23mea", False),
        "hashtag": ("/tags/meadow", True),
        "explore": ("/explore", True),
        "notifications": ("/notifications/", True),
    }


def comment_on(app: Flask, post_id: int, authors: list[User], times: int) -> None:
    """``times`` comments on the post, taking turns among ``authors``; each likes it once."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        db.session.refresh(post, ["author"])
        people = [db.session.get(User, author.id) for author in authors]
        for number in range(times):
            author = people[number % len(people)]
            assert author is not None
            interactions.add_comment(author, post, f"Lovely, @reader #{number}")
        for person in people:
            assert person is not None
            interactions.like(person, post)
        db.session.commit()


def small_world(app: Flask) -> World:
    reader, friend, fan = (create_user(app, name) for name in ("reader", "friend", "fan"))
    follow(app, reader, friend)
    follow(app, fan, reader)
    post = create_post(app, friend, "#meadow in May, with @reader")
    own = create_post(app, reader, "#meadow mine")
    comment_on(app, post.id, [fan], 1)
    comment_on(app, own.id, [fan], 1)
    return World(reader, friend, fan, post.id, own.id)


def grow(app: Flask, world: World) -> None:
    """Several times more of everything, and more than a page of each list."""
    others = [create_user(app, f"other{number}") for number in range(4)]
    for other in others:
        follow(app, world.reader, other)
        follow(app, other, world.friend)
        follow(app, other, world.reader)
        for _ in range(2):
            create_post(app, other, "#meadow again @reader", photos=3)
    for _ in range(4):
        create_post(app, world.friend, "#meadow more", photos=3)
    comment_on(app, world.post_id, [world.fan, *others], 51)  # more than the 50 on a page
    comment_on(app, world.own_post_id, [world.fan, *others], 31)  # notifications: 30 a page


def measure(app: Flask, world: World) -> dict[str, int]:
    signed_in, signed_out = app.test_client(), app.test_client()
    AuthActions(signed_in).login("reader")
    counts = {}
    for name, (path, reader) in pages(world).items():
        client = signed_in if reader else signed_out
        # Warm: the session's last-seen time is written at most every 5 minutes, and the
        # notifications page marks what it shows as read (the next page recounts the badge).
        client.get(path)
        client.get(path)
        with count_queries(app) as statements:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


@pytest.mark.config(FEED_PAGE_SIZE=4, GRID_PAGE_SIZE=4)
def test_every_page_costs_the_same_queries_whatever_the_data(app: Flask) -> None:
    world = small_world(app)
    small = measure(app, world)
    grow(app, world)
    client = app.test_client()
    AuthActions(client).login("reader")
    for name in (*LISTS, "notifications"):  # the lists now run over more than a page
        assert 'rel="next"' in client.get(pages(world)[name][0]).get_data(as_text=True), name
    html = client.get(f"/p/{world.post_id}").get_data(as_text=True)
    assert "Later comments" in html
    large = measure(app, world)
    assert large == small
    over = {name: count for name, count in large.items() if count > BUDGET}
    assert not over, f"over the budget of {BUDGET} queries: {over}"


def shown(html: str) -> int:
    """Posts on a page: feed cards, or grid photos."""
    cards = set(re.findall(r'id="post-(\d+)-author"', html))
    return len(cards) or len(re.findall(r'<li><a href="/p/\d+"', html))


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_whatever_the_page_size(app: Flask, name: str) -> None:
    world = small_world(app)
    grow(app, world)
    client = app.test_client()
    AuthActions(client).login("reader")
    path = pages(world)[name][0]

    def queries(size: int) -> int:
        app.config.update(FEED_PAGE_SIZE=size, GRID_PAGE_SIZE=size)
        client.get(path)
        with count_queries(app) as statements:
            html = client.get(path).get_data(as_text=True)
        assert shown(html) == size
        return len(statements)

    assert queries(2) == queries(5) <= BUDGET
