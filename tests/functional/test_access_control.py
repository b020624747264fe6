"""Who may see and change what, on every route.

A small world: Alice posts publicly and to followers only; Carol follows her;
Bob is a stranger; Dave and Alice block each other (Alice blocked him). Each
test checks one rule everywhere it applies: the post page, the profile, the
feed, explore, hashtag pages, search, notifications and the media URLs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Post, User, Visibility
from tests.factories import RENDITION, block, create_post, create_user, follow, make_private
from tests.support.api import bearer, token_for
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for

pytestmark = pytest.mark.media

VARIANTS = ("display", "medium", "thumb")


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    dave: User
    public: Post
    followers_only: Post


@pytest.fixture
def world(app: Flask) -> World:
    alice = create_user(app, "alice")
    bob = create_user(app, "bob")
    carol = create_user(app, "carol")
    dave = create_user(app, "dave")
    follow(app, carol, alice)
    follow(app, dave, alice)
    public = create_post(app, alice, "Out in the open #moss")
    secret = create_post(
        app, alice, "Only for friends #moss", visibility=Visibility.FOLLOWERS, video=RENDITION
    )
    block(app, alice, dave)
    return World(alice, bob, carol, dave, public, secret)


def as_user(app: Flask, username: str | None) -> FlaskClient:
    client = app.test_client()
    if username:
        AuthActions(client).login(username)
    return client


def media_urls(post: Post) -> list[str]:
    """Every file of the post: each photo's sizes, and a video's poster sizes and rendition."""
    return [
        url
        for photo in post.photos
        for url in [f"/media/{photo.storage_key}/{v}.webp" for v in VARIANTS]
        + ([f"/media/{photo.storage_key}/video.mp4"] if photo.is_video else [])
    ]


def shows(client: FlaskClient, path: str, post: Post) -> bool:
    response = client.get(path)
    assert response.status_code in (200, 403, 404), path
    return f'href="/p/{post.id}"' in response.get_data(as_text=True)


def test_followers_only_posts_are_invisible_to_non_followers_everywhere(
    app: Flask, world: World
) -> None:
    secret = world.followers_only
    for name in (None, "bob"):
        client = as_user(app, name)
        assert client.get(f"/p/{secret.id}").status_code == 404
        assert client.get(f"/p/{secret.id}/likes").status_code == 404
        assert not shows(client, "/@alice", secret)
        assert not shows(client, "/explore", secret)
        assert not shows(client, "/tags/moss", secret)
        assert "Only for friends" not in client.get("/search?q=alice").get_data(as_text=True)
        assert "@alice<" in client.get("/search?q=alice").get_data(as_text=True)
        for url in media_urls(secret):
            assert client.get(url).status_code == 404, url
        if name:
            assert not shows(client, "/home", secret)
            assert not shows(client, "/notifications/", secret)
    # The public post stays visible to the same people.
    assert shows(as_user(app, None), "/@alice", world.public)
    assert shows(as_user(app, None), "/tags/moss", world.public)


def test_followers_and_the_author_see_followers_only_posts(app: Flask, world: World) -> None:
    secret = world.followers_only
    for name in ("carol", "alice"):
        client = as_user(app, name)
        assert client.get(f"/p/{secret.id}").status_code == 200
        assert client.get(f"/p/{secret.id}/likes").status_code == 200
        assert shows(client, "/@alice", secret)
        assert shows(client, "/home", secret)
        assert shows(client, "/tags/moss", secret)
        assert not shows(client, "/explore", secret)  # explore is public posts only
        for url in media_urls(secret):
            with client.get(url) as response:
                assert response.status_code == 200, url
                assert response.headers["Cache-Control"].startswith("private")
                assert response.data.startswith(b"RIFF") or response.data == RENDITION, url


def test_a_private_accounts_posts_are_for_approved_followers_only(app: Flask, world: World) -> None:
    make_private(app, world.alice)
    stranger = as_user(app, "bob")
    assert stranger.get(f"/p/{world.public.id}").status_code == 404
    assert stranger.get(f"/p/{world.public.id}/likes").status_code == 404
    assert "This account is private" in stranger.get("/@alice").get_data(as_text=True)
    assert not shows(stranger, "/explore", world.public)
    assert not shows(stranger, "/tags/moss", world.public)
    assert as_user(app, "carol").get(f"/p/{world.public.id}").status_code == 200


def test_blocked_accounts_see_nothing_of_each_other(app: Flask, world: World) -> None:
    for viewer, other in (("dave", "alice"), ("alice", "dave")):
        client = as_user(app, viewer)
        assert client.get(f"/@{other}").status_code == 404
        assert client.get(f"/@{other}/followers").status_code == 404
        assert f"@{other}<" not in client.get(f"/search?q={other}").get_data(as_text=True)
    dave = as_user(app, "dave")
    for post in (world.public, world.followers_only):
        assert dave.get(f"/p/{post.id}").status_code == 404
        assert dave.get(f"/p/{post.id}/likes").status_code == 404
        assert not shows(dave, "/home", post)
        assert not shows(dave, "/explore", post)
        assert not shows(dave, "/tags/moss", post)
    for url in media_urls(world.followers_only):
        assert dave.get(url).status_code == 404
    assert dave.get(f"/p/{world.public.id}/report").status_code == 404
    assert dave.get("/@alice/report").status_code == 404
    # No follow, like or comment gets through in either direction.
    token = csrf_token_for(dave)
    assert dave.post("/@alice/follow", data={"csrf_token": token}).status_code == 404
    assert (
        dave.post(f"/p/{world.public.id}/like", data={"csrf_token": token, "on": "1"}).status_code
        == 404
    )
    assert (
        dave.post(
            f"/p/{world.public.id}/comments", data={"csrf_token": token, "body": "hi"}
        ).status_code
        == 404
    )


def test_blocking_ends_follows_both_ways(app: Flask, world: World) -> None:
    alice = as_user(app, "alice")
    followers = alice.get("/@alice/followers").get_data(as_text=True)
    assert "@carol" in followers and "@dave" not in followers


def test_a_mention_by_a_blocked_account_notifies_nobody(app: Flask, world: World) -> None:
    create_post(app, world.dave, "Hello @alice")
    page = as_user(app, "alice").get("/notifications/").get_data(as_text=True)
    assert "mentioned you" not in page


def test_a_mention_in_a_followers_only_post_does_not_reach_a_non_follower(
    app: Flask, world: World
) -> None:
    create_post(app, world.alice, "Secret hello @bob", visibility=Visibility.FOLLOWERS)
    assert "mentioned you" not in as_user(app, "bob").get("/notifications/").get_data(as_text=True)


def test_nobody_else_may_edit_or_delete_a_post(app: Flask, world: World) -> None:
    post = world.public
    bob = as_user(app, "bob")
    assert bob.get(f"/p/{post.id}/edit").status_code == 403
    token = csrf_token_for(bob)
    edit = bob.post(f"/p/{post.id}/edit", data={"csrf_token": token, "caption": "mine now"})
    assert edit.status_code == 403
    assert bob.post(f"/p/{post.id}/delete", data={"csrf_token": token}).status_code == 403
    # Another's followers-only post does not even exist for them.
    secret = world.followers_only
    assert bob.post(f"/p/{secret.id}/delete", data={"csrf_token": token}).status_code == 404
    assert as_user(app, None).get(f"/p/{post.id}").status_code == 200
    assert "Out in the open" in as_user(app, None).get(f"/p/{post.id}").get_data(as_text=True)


def test_comments_are_deleted_by_their_author_or_the_post_owner_only(
    app: Flask, world: World
) -> None:
    post = world.public
    carol = as_user(app, "carol")
    token = csrf_token_for(carol)
    carol.post(f"/p/{post.id}/comments", data={"csrf_token": token, "body": "Lovely moss"})
    page = carol.get(f"/p/{post.id}").get_data(as_text=True)
    comment_id = int(page.split('id="comment-')[1].split('"')[0])
    path = f"/p/{post.id}/comments/{comment_id}/delete"
    bob = as_user(app, "bob")
    assert bob.post(path, data={"csrf_token": csrf_token_for(bob)}).status_code == 403
    # A comment id under another post is a 404, whoever asks.
    other = f"/p/{world.followers_only.id}/comments/{comment_id}/delete"
    assert carol.post(other, data={"csrf_token": token}).status_code == 404
    alice = as_user(app, "alice")
    response = alice.post(path, data={"csrf_token": csrf_token_for(alice)})
    assert response.status_code == 303
    assert "Lovely moss" not in alice.get(f"/p/{post.id}").get_data(as_text=True)


def test_state_changes_need_a_login(app: Flask, world: World) -> None:
    visitor = as_user(app, None)
    post = world.public.id
    for path in (
        f"/p/{post}/like",
        f"/p/{post}/save",
        f"/p/{post}/comments",
        f"/p/{post}/delete",
        f"/p/{post}/edit",
        "/@alice/follow",
        "/@alice/block",
        "/@alice/mute",
        "/notifications/read",
        f"/p/{post}/report",
        "/@alice/report",
        "/profile/edit",
        "/profile/privacy",
    ):
        response = visitor.post(path, data={})
        assert response.status_code in (302, 303, 400, 401), path
        if response.status_code in (302, 303):
            assert "/login" in response.headers["Location"], path
    for path in ("/home", "/saved", "/notifications/", "/follow-requests", "/blocked"):
        response = visitor.get(path)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_state_changes_need_the_csrf_token(app: Flask, world: World) -> None:
    carol = as_user(app, "carol")
    for path in (f"/p/{world.public.id}/like", "/@bob/follow", f"/p/{world.public.id}/comments"):
        assert carol.post(path, data={"on": "1", "body": "x"}).status_code == 400, path


def test_every_route_is_covered_by_an_access_rule(app: Flask) -> None:
    """A new route must be added to this suite's rules (here, or in the file named)."""
    covered_here = {
        "posts.new", "posts.show", "posts.edit", "posts.delete", "posts.like", "posts.save",
        "posts.comment", "posts.delete_comment", "posts.likes",
        "reports.post", "reports.comment", "reports.account",
        "profiles.show", "profiles.followers", "profiles.following", "profiles.edit",
        "profiles.privacy",
        "social.follow", "social.unfollow", "social.remove_follower", "social.block",
        "social.unblock", "social.mute", "social.unmute", "social.requests", "social.answer",
        "social.blocked",
        "feed.home", "feed.saved", "discover.explore", "discover.hashtag", "discover.search",
        "notifications.index", "notifications.mark_read", "media.file", "media.video",
        "posts.pending",  # the author's alone, or a 404: test_video_posts.py
    }  # fmt: skip
    elsewhere = {
        "main", "health", "auth", "captcha", "mfa", "settings", "two_factor", "gallery",
        "admin",  # every admin.* endpoint: tests/functional/test_moderation.py
        "exports",  # test_exports.py
        "imports",  # logged in only: test_imports.py
        "joining",  # sign-ups waiting, invites: test_registration_modes.py
        "internal",  # a key or a 404: test_metrics.py
        "appearance",  # open to everyone, sets only a cookie, CSRF-checked: test_appearance.py
        "oauth",  # a fresh login for consent, a client secret for tokens: test_oauth.py
        "api",  # a bearer token with its scope, never a cookie: test_oauth.py
    }  # fmt: skip
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    unaccounted = {
        e for e in endpoints if e not in covered_here and e.split(".")[0] not in elsewhere
    }
    assert unaccounted == set()


# The API column: the same people see the same posts through an app's token.


def api_sees(app: Flask, token: str, path: str, post: Post) -> bool:
    response = app.test_client().get(path, headers=bearer(token))
    assert response.status_code in (200, 404), (path, response.status_code)
    body = response.get_json()
    listed = body if isinstance(body, list) else [body] if response.status_code == 200 else []
    return any(item.get("id") == str(post.id) for item in listed)


def test_the_api_shows_followers_only_posts_to_followers_and_the_author_only(
    app: Flask, world: World
) -> None:
    secret, alice = world.followers_only, world.alice
    for name, sees in (("bob", False), ("dave", False), ("carol", True), ("alice", True)):
        token = token_for(app, name)
        assert api_sees(app, token, f"/api/v1/statuses/{secret.id}", secret) is sees, name
        assert api_sees(app, token, f"/api/v1/accounts/{alice.id}/statuses", secret) is sees
        if name != "alice":
            assert api_sees(app, token, "/api/v1/timelines/home", secret) is sees, name
        assert api_sees(app, token, f"/api/v1/statuses/{world.public.id}", world.public) is (
            name != "dave"
        ), name


def test_the_api_keeps_blocked_accounts_apart(app: Flask, world: World) -> None:
    token = token_for(app, "dave")
    api = app.test_client()
    assert api.get(f"/api/v1/accounts/{world.alice.id}", headers=bearer(token)).status_code == 404
    assert api.get("/api/v1/accounts/lookup?acct=alice", headers=bearer(token)).status_code == 404
    like = api.post(f"/api/v1/statuses/{world.public.id}/favourite", headers=bearer(token))
    assert like.status_code == 404


def test_the_api_keeps_a_private_accounts_posts_to_approved_followers(
    app: Flask, world: World
) -> None:
    make_private(app, world.alice)
    assert not api_sees(
        app, token_for(app, "bob"), f"/api/v1/statuses/{world.public.id}", world.public
    )
    assert api_sees(
        app, token_for(app, "carol"), f"/api/v1/statuses/{world.public.id}", world.public
    )


def test_the_api_forgets_a_deleted_account_and_ends_its_tokens(app: Flask, world: World) -> None:
    from app.models import DeletionReason
    from app.services.privacy import lifecycle

    alices, carols = token_for(app, "alice"), token_for(app, "carol")
    with app.test_request_context():
        alice = db.session.get(User, world.alice.id)
        assert alice is not None
        lifecycle.request_deletion(alice, DeletionReason.SELF_DELETED)
        db.session.commit()
    api = app.test_client()
    assert api.get(f"/api/v1/accounts/{world.alice.id}", headers=bearer(carols)).status_code == 404
    assert not api_sees(app, carols, f"/api/v1/statuses/{world.public.id}", world.public)
    assert not api_sees(app, carols, "/api/v1/timelines/home", world.public)
    assert api.get("/api/v1/accounts/verify_credentials", headers=bearer(alices)).status_code == 401
