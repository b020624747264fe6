"""Posts only their author sees ("Only me"), on every route, in the files and in the counts.

Alice is a public account with a public post, a followers-only post and an only-me
post, all tagged #moss; the only-me post also carries #solitude and mentions Carol.
Carol follows her; Bob is a stranger. Nobody but Alice may find the only-me post
anywhere, act on it, fetch its files or count it; Alice sees it like her other posts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from app.demo import recount
from app.extensions import db
from app.models import Post, User, Visibility
from tests.factories import create_post, create_user, follow, jpeg_bytes
from tests.support.apps import REDIS_URL
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.stored_media import fetch_media, keys_in

pytestmark = pytest.mark.media

VARIANTS = ("display", "medium", "thumb")
OTHERS = (None, "bob", "carol")  # anonymous, a stranger, a follower
MARK = "Only you can see this post"
# The feed with its timelines in Redis, and without Redis (as tests/functional/test_feed_cache.py).
MODES = [
    pytest.param("redis", marks=pytest.mark.skipif(REDIS_URL is None, reason="needs a real Redis")),
    pytest.param("sql", marks=pytest.mark.config(REDIS_URL=None)),
]


@dataclass
class World:
    alice: User
    public: Post
    followers_only: Post
    only_me: Post


@pytest.fixture
def world(app: Flask) -> World:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    follow(app, create_user(app, "carol"), alice)
    public = create_post(app, alice, "Out in the open #moss")
    followers_only = create_post(app, alice, "For friends #moss", visibility=Visibility.FOLLOWERS)
    only_me = create_post(
        app, alice, "Just mine #moss #solitude @carol", visibility=Visibility.ONLY_ME
    )
    return World(alice, public, followers_only, only_me)


def as_user(app: Flask, username: str | None) -> FlaskClient:
    client = app.test_client()
    if username:
        AuthActions(client).login(username)
    return client


def shows(client: FlaskClient, path: str, post: Post) -> bool:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    return f'href="/p/{post.id}"' in response.get_data(as_text=True)


def keys_of(post: Post) -> set[str]:
    return {photo.storage_key for photo in post.photos}


def media_status(client: FlaskClient, post: Post) -> set[int]:
    statuses = set()
    for key in keys_of(post):
        for variant in VARIANTS:
            statuses.add(fetch_media(client, f"/media/{key}/{variant}.webp")[0])
    return statuses


def post_count_shown(client: FlaskClient) -> int:
    html = client.get("/@alice").get_data(as_text=True)
    match = re.search(r"<strong>(\d+)</strong> posts", html)
    assert match, html
    return int(match.group(1))


def stored(app: Flask, post_id: int) -> tuple[Visibility, int, int, int]:
    """The post's visibility and its author's post counters (all, shared, public)."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        author = db.session.get(User, post.author_id)
        assert author is not None
        return (
            post.visibility,
            author.post_count,
            author.shared_post_count,
            author.public_post_count,
        )


def recount_agrees(app: Flask) -> bool:
    with app.app_context():
        changed = recount.recount_users()
        db.session.rollback()
    return changed == 0


def edit_visibility(app: Flask, post: Post, visibility: Visibility) -> None:
    client = as_user(app, "alice")
    data = {"csrf_token": csrf_token_for(client), "caption": post.caption}
    response = client.post(f"/p/{post.id}/edit", data={**data, "visibility": visibility.value})
    assert response.status_code == 303, response.get_data(as_text=True)


def test_nobody_else_finds_an_only_me_post_anywhere(app: Flask, world: World) -> None:
    secret = world.only_me
    for name in OTHERS:
        client = as_user(app, name)
        assert client.get(f"/p/{secret.id}").status_code == 404, name
        assert client.get(f"/p/{secret.id}/likes").status_code == 404, name
        assert not shows(client, "/@alice", secret), name
        assert not shows(client, "/explore", secret), name
        assert not shows(client, "/tags/moss", secret), name
        assert client.get("/tags/solitude").status_code in (200, 404)
        assert not shows(client, "/tags/solitude", secret), name
        assert "#solitude" not in client.get("/search?q=%23sol").get_data(as_text=True), name
        if name:
            assert not shows(client, "/home", secret), name
            assert not shows(client, "/notifications/", secret), name
    # The follower still sees the other two, so it is the only-me post alone that is left out.
    carol = as_user(app, "carol")
    assert shows(carol, "/@alice", world.followers_only) and shows(carol, "/home", world.public)


def test_nobody_else_may_like_save_or_comment_on_it(app: Flask, world: World) -> None:
    secret = world.only_me
    for name in ("bob", "carol"):
        client = as_user(app, name)
        token = csrf_token_for(client)
        for action in ("like", "save"):
            response = client.post(
                f"/p/{secret.id}/{action}", data={"csrf_token": token, "on": "1"}
            )
            assert response.status_code == 404, (name, action)
        response = client.post(f"/p/{secret.id}/comments", data={"csrf_token": token, "body": "hi"})
        assert response.status_code == 404, name
    assert stored(app, secret.id)[0] == Visibility.ONLY_ME
    with app.app_context():
        post = db.session.get(Post, secret.id)
        assert post is not None and (post.like_count, post.comment_count) == (0, 0)


def test_its_files_are_private_and_only_the_author_may_fetch_them(app: Flask, world: World) -> None:
    assert keys_of(world.only_me) <= keys_in(app, "private")
    assert not keys_of(world.only_me) & keys_in(app, "public")
    for name in OTHERS:
        assert media_status(as_user(app, name), world.only_me) == {404}, name
    assert media_status(as_user(app, "alice"), world.only_me) == {200}


def test_the_author_sees_it_wherever_she_sees_her_own_posts(app: Flask, world: World) -> None:
    secret = world.only_me
    alice = as_user(app, "alice")
    page = alice.get(f"/p/{secret.id}").get_data(as_text=True)
    assert "Just mine" in page and MARK in page
    assert alice.get(f"/p/{secret.id}/likes").status_code == 200
    for path in ("/@alice", "/home", "/tags/moss", "/tags/solitude"):
        assert shows(alice, path, secret), path
    assert not shows(alice, "/explore", secret)  # explore is public posts only
    assert "#solitude" in alice.get("/search?q=%23sol").get_data(as_text=True)
    token = csrf_token_for(alice)
    liked = alice.post(f"/p/{secret.id}/like", data={"csrf_token": token, "on": "1"})
    assert liked.status_code == 303
    # The mark is the only-me post's alone.
    assert MARK not in alice.get(f"/p/{world.followers_only.id}").get_data(as_text=True)


def test_counts_others_see_leave_it_out(app: Flask, world: World) -> None:
    assert stored(app, world.only_me.id) == (Visibility.ONLY_ME, 3, 2, 1)
    assert post_count_shown(as_user(app, None)) == 1
    assert post_count_shown(as_user(app, "bob")) == 1
    assert post_count_shown(as_user(app, "carol")) == 2
    assert post_count_shown(as_user(app, "alice")) == 3
    assert recount_agrees(app)


@pytest.mark.parametrize("mode", MODES)
def test_a_followers_feed_never_shows_it(app: Flask, world: World, mode: str) -> None:
    """With the timeline in Redis and without it: a new only-me post, and one that became
    only-me after the feed was read; and one shared again shows once more."""
    carol = as_user(app, "carol")
    assert shows(carol, "/home", world.public)  # the timeline is built (with Redis)
    later = create_post(app, world.alice, "Later, mine", visibility=Visibility.ONLY_ME)
    assert not shows(carol, "/home", later) and shows(carol, "/home", world.public)
    edit_visibility(app, world.public, Visibility.ONLY_ME)
    assert not shows(carol, "/home", world.public)
    assert shows(as_user(app, "alice"), "/home", world.public)
    edit_visibility(app, later, Visibility.FOLLOWERS)
    assert shows(carol, "/home", later)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Visibility.ONLY_ME, Visibility.PUBLIC),
        (Visibility.PUBLIC, Visibility.ONLY_ME),
        (Visibility.ONLY_ME, Visibility.FOLLOWERS),
        (Visibility.FOLLOWERS, Visibility.ONLY_ME),
        (Visibility.PUBLIC, Visibility.FOLLOWERS),
        (Visibility.FOLLOWERS, Visibility.PUBLIC),
    ],
)
def test_changing_who_sees_it_moves_the_files_and_the_counts(
    app: Flask, world: World, before: Visibility, after: Visibility
) -> None:
    post = {
        Visibility.PUBLIC: world.public,
        Visibility.FOLLOWERS: world.followers_only,
        Visibility.ONLY_ME: world.only_me,
    }[before]
    edit_visibility(app, post, after)
    visibility, _, shared, public = stored(app, post.id)
    assert visibility == after
    assert (shared, public) == (
        2 + (after != Visibility.ONLY_ME) - (before != Visibility.ONLY_ME),
        1 + (after == Visibility.PUBLIC) - (before == Visibility.PUBLIC),
    )
    assert recount_agrees(app)
    area = "public" if after == Visibility.PUBLIC else "private"
    assert keys_of(post) <= keys_in(app, area)
    anonymous = as_user(app, None)
    assert media_status(anonymous, post) == ({200} if after == Visibility.PUBLIC else {404})
    assert (anonymous.get(f"/p/{post.id}").status_code == 200) is (after == Visibility.PUBLIC)
    carol = as_user(app, "carol")
    assert (carol.get(f"/p/{post.id}").status_code == 200) is (after != Visibility.ONLY_ME)
    assert post_count_shown(carol) == shared and post_count_shown(anonymous) == public
    # Changing who sees a post is not an edit of what it shows.
    with app.app_context():
        fresh = db.session.get(Post, post.id)
        assert fresh is not None and fresh.edited_at is None


def test_both_forms_offer_only_me_and_the_edit_form_shows_the_choice(
    app: Flask, world: World
) -> None:
    alice = as_user(app, "alice")
    new = alice.get("/p/new").get_data(as_text=True)
    assert 'value="only_me"' in new and "Only me" in new
    edit = alice.get(f"/p/{world.only_me.id}/edit").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="visibility"[^>]*>', edit)
    assert len(radios) == 3
    assert [tag for tag in radios if "checked" in tag] == [
        tag for tag in radios if 'value="only_me"' in tag
    ]


def test_an_edit_without_a_visibility_keeps_it(app: Flask, world: World) -> None:
    alice = as_user(app, "alice")
    data = {"csrf_token": csrf_token_for(alice), "caption": "Still just mine"}
    assert alice.post(f"/p/{world.only_me.id}/edit", data=data).status_code == 303
    assert stored(app, world.only_me.id)[0] == Visibility.ONLY_ME
    data["visibility"] = "everyone"
    assert alice.post(f"/p/{world.only_me.id}/edit", data=data).status_code == 422


def test_a_post_shared_with_only_me_from_the_form_stays_private(app: Flask, world: World) -> None:
    alice = as_user(app, "alice")
    data = {
        "csrf_token": csrf_token_for(alice),
        "caption": "Straight to me",
        "visibility": "only_me",
        "photos": [(io.BytesIO(jpeg_bytes()), "one.jpg")],
    }
    response = alice.post("/p/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        post = db.session.scalars(select(Post).order_by(Post.id.desc()).limit(1)).one()
        assert (post.caption, post.visibility) == ("Straight to me", Visibility.ONLY_ME)
        post_id = post.id
    page = alice.get(f"/p/{post_id}").get_data(as_text=True)
    assert MARK in page
    assert as_user(app, "carol").get(f"/p/{post_id}").status_code == 404
    assert stored(app, post_id)[1:] == (4, 2, 1)


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
