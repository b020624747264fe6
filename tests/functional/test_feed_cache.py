"""The feed's caches never show an old state: home timelines and post cards in Redis.

Every change a reader's feed must follow is made after the feed was read once (so the
timeline and the cards are in Redis), and the next read must show the new state; the
same steps run without Redis, on the SQL path. Then the worker's fan-out, the rebuild of
a missing timeline, trimming, a Redis that is down, and cards drawn from the cache being
the same HTML as ``post_card`` draws.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import insert
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db, redis_client
from app.models import Follow, Post, User, Visibility, utcnow
from app.models.lifecycle import DeletionReason
from app.services.accounts import profiles
from app.services.content import home_timelines, interactions, posts, social, timelines
from app.services.moderation import decisions
from app.services.privacy import lifecycle
from app.views.cards import cached_cards, finish
from app.views.posts import post_views
from app.worker.jobs import fan_out_posts
from tests.factories import create_post, create_user, follow, jpeg_bytes
from tests.support.apps import REDIS_URL
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.queries import count_queries

MEDIA_HOST = "https://media.example.test"
needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="needs a real Redis")
MODES = [
    pytest.param("redis", marks=needs_redis),
    pytest.param("sql", marks=pytest.mark.config(REDIS_URL=None)),
]


def post_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="post-(\d+)-author"', html)]


@dataclass
class World:
    app: Flask
    client: FlaskClient  # signed in as reader
    reader: User
    author: User  # followed by reader
    admin: User
    post: Post  # the author's, public

    def feed(self) -> str:
        response = self.client.get("/home")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def change(self, action: Callable[..., Any], *ids: int) -> None:
        """Run ``action`` on fresh copies of these rows (users, then the post) and commit."""
        with self.app.test_request_context():
            rows = [db.session.get(User, row_id) for row_id in ids]
            post = db.session.get(
                Post, self.post.id, options=[selectinload(Post.photos), joinedload(Post.author)]
            )
            action(*rows, post)
            db.session.commit()


@pytest.fixture
def world(app: Flask, request: pytest.FixtureRequest) -> World:
    reader, author = create_user(app, "reader"), create_user(app, "author")
    admin = create_user(app, "mod", admin=True)
    follow(app, reader, author)
    post = create_post(app, author, "first words")
    client = app.test_client()
    AuthActions(client).login("reader")
    return World(app, client, reader, author, admin, post)


def warm(world: World, mode: str) -> str:
    """Read the feed once, and with Redis check that it went into the caches."""
    html = world.feed()
    assert world.post.id in post_ids(html)
    if mode == "redis":
        with world.app.app_context():
            client = redis_client.client
            assert client is not None
            prefix = world.app.config["RATELIMIT_KEY_PREFIX"]
            assert client.exists(f"{prefix}:home:{world.reader.id}")
            assert client.keys(f"{prefix}:card:*")
        assert world.feed() == html or post_ids(world.feed()) == post_ids(html)
    return html


@pytest.mark.config(MEDIA_PUBLIC_URL=MEDIA_HOST)
@pytest.mark.parametrize("mode", MODES)
def test_every_change_shows_on_the_next_read(world: World, mode: str) -> None:
    r, a, m, p = world.reader.id, world.author.id, world.admin.id, world.post.id
    warm(world, mode)

    # Edit: the caption, a photo's description.
    world.change(lambda author, post: posts.edit(author, post, "new words", {}), a)
    assert "new words" in world.feed() and "first words" not in world.feed()
    photo_id = world.post.photos[0].id
    world.change(lambda author, post: posts.edit(author, post, "new words", {photo_id: "a fox"}), a)
    assert 'alt="a fox"' in world.feed()

    # Likes and comments: the counts, and the reader's own like.
    world.change(interactions.like, m)
    assert "<strong>1</strong> like" in world.feed()
    world.change(interactions.like, r)
    html = world.feed()
    assert "<strong>2</strong> likes" in html and 'aria-pressed="true"' in html
    world.change(interactions.unlike, r)
    html = world.feed()
    assert "<strong>1</strong> like" in html and 'aria-pressed="true"' not in html
    world.change(lambda admin, post: interactions.add_comment(admin, post, "lovely"), m)
    assert "View the comment" in world.feed()

    # A rename.
    world.change(lambda author, _post: profiles.update(author, "Author Anew", "", ""), a)
    assert "Author Anew" in world.feed()

    # Going private: still shown to a follower, but its photos leave the media host.
    assert f'src="{MEDIA_HOST}/media/' in world.feed()
    world.change(lambda author, _post: _set_private(author, True), a)
    html = world.feed()
    assert p in post_ids(html) and f'src="{MEDIA_HOST}/media/' not in html

    # A new post shows at once (fanned out after commit here; the worker's own test is below).
    newer = create_post(world.app, world.author, "newer")
    assert post_ids(world.feed())[:2] == [newer.id, p]


def _set_private(user: User, private: bool) -> None:
    profiles.update_privacy(
        user,
        is_private=private,
        hide_follow_lists=user.hide_follow_lists,
        comment_audience=user.comment_audience,
        mention_audience=user.mention_audience,
    )


CUTS: dict[str, tuple[Callable[[World], None], Callable[[World], None] | None]] = {
    "delete": (lambda w: w.change(posts.delete_post, w.author.id), None),
    "moderator removal": (
        lambda w: w.change(posts.delete_post, w.admin.id),
        None,
    ),
    "author blocks reader": (
        lambda w: w.change(lambda a, r, _p: social.block(a, r), w.author.id, w.reader.id),
        lambda w: (
            w.change(lambda a, r, _p: social.unblock(a, r), w.author.id, w.reader.id),
            follow(w.app, w.reader, w.author),
        ),
    ),
    "reader blocks author": (
        lambda w: w.change(lambda r, a, _p: social.block(r, a), w.reader.id, w.author.id),
        lambda w: (
            w.change(lambda r, a, _p: social.unblock(r, a), w.reader.id, w.author.id),
            follow(w.app, w.reader, w.author),
        ),
    ),
    "mute": (
        lambda w: w.change(lambda r, a, _p: social.mute(r, a), w.reader.id, w.author.id),
        lambda w: w.change(lambda r, a, _p: social.unmute(r, a), w.reader.id, w.author.id),
    ),
    "unfollow": (
        lambda w: w.change(lambda r, a, _p: social.unfollow(r, a), w.reader.id, w.author.id),
        lambda w: follow(w.app, w.reader, w.author),
    ),
    "removed as a follower": (
        lambda w: w.change(lambda a, r, _p: social.remove_follower(a, r), w.author.id, w.reader.id),
        lambda w: follow(w.app, w.reader, w.author),
    ),
    "account deletion": (
        lambda w: w.change(
            lambda a, _p: lifecycle.request_deletion(a, DeletionReason.SELF_DELETED), w.author.id
        ),
        lambda w: w.change(lambda a, _p: lifecycle.restore(a, None), w.author.id),
    ),
    "moderator block": (
        lambda w: w.change(
            lambda m, a, _p: decisions.block(m, a, "spam", 3), w.admin.id, w.author.id
        ),
        lambda w: w.change(
            lambda m, a, _p: decisions.unblock(m, a, "appeal"), w.admin.id, w.author.id
        ),
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(CUTS))
def test_what_hides_a_post_hides_it_on_the_next_read(world: World, mode: str, case: str) -> None:
    """Blocks, mutes, unfollows, deletions and moderators: gone at once, and back when undone."""
    hide, undo = CUTS[case]
    warm(world, mode)
    hide(world)
    assert world.post.id not in post_ids(world.feed())
    if undo is not None:
        undo(world)
        assert world.post.id in post_ids(world.feed())


@pytest.mark.parametrize("mode", MODES)
def test_followers_only_posts_follow_the_follow(app: Flask, world: World, mode: str) -> None:
    private = create_post(app, world.author, "for followers", visibility=Visibility.FOLLOWERS)
    html = warm(world, mode)
    assert private.id in post_ids(html) and "Followers</span>" in html
    world.change(lambda r, a, _p: social.unfollow(r, a), world.reader.id, world.author.id)
    assert post_ids(world.feed()) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_follow_brings_the_accounts_posts(app: Flask, world: World, mode: str) -> None:
    other = create_user(app, "other")
    theirs = create_post(app, other, "theirs")
    warm(world, mode)
    assert theirs.id not in post_ids(world.feed())
    follow(app, world.reader, other)
    assert post_ids(world.feed()) == [theirs.id, world.post.id]


# The worker's fan-out, timelines' life, and Redis going away: Redis only.


def _timeline(app: Flask, user_id: int) -> list[bytes]:
    with app.app_context():
        client = redis_client.client
        assert client is not None
        key = f"{app.config['RATELIMIT_KEY_PREFIX']}:home:{user_id}"
        return list(client.zrevrange(key, 0, -1))


def _share(client: FlaskClient, caption: str) -> int:
    data = {
        "csrf_token": csrf_token_for(client),
        "visibility": "public",
        "caption": caption,
        "photos": [(io.BytesIO(jpeg_bytes()), "photo.jpg", "image/jpeg")],
    }
    response = client.post("/p/new", data=data, content_type="multipart/form-data")
    assert response.status_code in (302, 303), response.status_code
    return int(re.findall(r"/p/(\d+)", response.headers["Location"])[0])


def _add_followers(app: Flask, author: User, count: int) -> list[int]:
    """``count`` accounts following ``author``, written in bulk (only their follows matter)."""
    with app.test_request_context():
        made = [create_user(app).id for _ in range(count)]
        db.session.execute(
            insert(Follow), [{"follower_id": uid, "followee_id": author.id} for uid in made]
        )
        db.session.commit()
    return made


@needs_redis
@pytest.mark.config(FEED_FANOUT_AFTER_COMMIT=False)
def test_the_worker_fans_out_and_posting_costs_the_same_at_any_follower_count(
    app: Flask, world: World
) -> None:
    author = AuthActions(poster := app.test_client())
    author.login("author")
    with app.app_context():  # the cursor starts at the newest post
        assert home_timelines.fan_out_new(utcnow()) == 0
    poster.get("/home")  # the author's own timeline exists
    warm(world, "redis")

    def posting_queries(caption: str) -> tuple[int, int]:
        _share(poster, caption + " warm-up")
        with count_queries(app) as statements:
            post_id = _share(poster, caption)
        return post_id, len(statements)

    few_id, few = posting_queries("few followers")
    fans = _add_followers(app, world.author, 40)
    with app.app_context():
        for fan in fans[:20]:  # half of them have a timeline in Redis
            home_timelines.store(fan, [], complete=True)
    many_id, many = posting_queries("many followers")
    assert many == few

    # Only the author's own timeline has the posts so far; the worker brings the rest.
    assert str(many_id).encode() in _timeline(app, world.author.id)
    assert str(many_id).encode() not in _timeline(app, world.reader.id)
    with app.app_context():
        assert fan_out_posts(lambda: False) is not None
    assert str(many_id).encode() in _timeline(app, world.reader.id)
    assert str(few_id).encode() in _timeline(app, world.reader.id)
    for fan in fans[:20]:
        assert str(many_id).encode() in _timeline(app, fan)
    for fan in fans[20:]:
        assert _timeline(app, fan) == []  # no timeline: built from SQL on its first read
    assert post_ids(world.feed())[0] == many_id
    with app.app_context():  # done once: a second round fans nothing out again
        assert home_timelines.fan_out_new(utcnow()) == 0


@needs_redis
def test_a_missing_timeline_is_rebuilt_from_sql(app: Flask, world: World) -> None:
    html = warm(world, "redis")
    with app.app_context():
        home_timelines.drop([world.reader.id])
    assert _timeline(app, world.reader.id) == []
    assert post_ids(world.feed()) == post_ids(html)
    assert str(world.post.id).encode() in _timeline(app, world.reader.id)


@needs_redis
@pytest.mark.config(FEED_TIMELINE_SIZE=3, FEED_PAGE_SIZE=2)
def test_timelines_are_trimmed_and_older_pages_come_from_sql(app: Flask, world: World) -> None:
    made = [world.post.id] + [create_post(app, world.author, f"p{n}").id for n in range(4)]
    seen: list[int] = []
    path = "/home"
    while True:
        html = world.client.get(path).get_data(as_text=True)
        seen += post_ids(html)
        match = re.search(r'href="\?before=(\d+)" rel="next"', html)
        if not match:
            break
        path = f"/home?before={match.group(1)}"
    assert seen == sorted(made, reverse=True)
    assert _timeline(app, world.reader.id) == [str(i).encode() for i in made[:-4:-1]] + [b"cut"]
    newest = create_post(app, world.author, "newest").id
    kept = _timeline(app, world.reader.id)
    assert kept[0] == str(newest).encode() and len(kept) == 4  # three posts and the marker


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:9/15", REDIS_SOCKET_TIMEOUT=0.5)
def test_with_redis_down_the_feed_reads_sql(app: Flask, world: World) -> None:
    newer = create_post(app, world.author, "newer")
    assert post_ids(world.feed()) == [newer.id, world.post.id]
    world.change(lambda r, a, _p: social.mute(r, a), world.reader.id, world.author.id)
    assert post_ids(world.feed()) == []


@needs_redis
def test_a_card_from_the_cache_is_the_card_post_card_draws(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_post(app, world.author, "sensitive", content_warning="spiders")
    create_post(app, world.author, "#tags and @reader", photos=3, visibility=Visibility.FOLLOWERS)
    world.change(interactions.like, world.reader.id)
    world.feed()  # the cards go into Redis
    monkeypatch.setitem(app.jinja_env.globals, "signed_in", lambda: True)  # as the reader
    app.jinja_env.cache.clear()  # imported macros keep the globals they were loaded with
    with app.test_request_context("/home"):
        reader = db.session.get(User, world.reader.id)
        assert reader is not None
        page = timelines.home(reader, None, 12).items
        state = interactions.viewer_state(reader, page)
        found = cached_cards(page, reader)
        assert found.missing == []
        cached = finish(found, state, reader)
        timelines.load_photos(page)
        template = app.jinja_env.from_string(
            '{% from "_macros/components.html" import post_card %}{{ post_card(post, lazy=lazy) }}'
        )
        drawn = [
            template.render(post=view, lazy=index > 0)
            for index, view in enumerate(post_views(page, state, reader))
        ]
    # The same, but for the templates' indentation and blank lines, which the cache drops.
    for card, expected in zip(cached, drawn, strict=True):
        assert str(card).splitlines() == [
            line.strip() for line in expected.splitlines() if line.strip()
        ]
    assert len(drawn) == 3


@pytest.fixture(autouse=True)
def _no_leftover_keys(app: Flask) -> Iterator[None]:
    yield
    if REDIS_URL and app.config.get("REDIS_URL") == REDIS_URL:
        prefix = app.config["RATELIMIT_KEY_PREFIX"]
        client = Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
