"""Who liked a post (/p/<id>/likes): the post's own visibility, blocks and hidden accounts,
newest first by keyset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Like, Post, User, Visibility, utcnow
from app.services.content import interactions
from tests.factories import block, create_post, create_user, follow, make_private
from tests.support.auth import AuthActions


def like(app: Flask, person: User, post: Post) -> None:
    with app.test_request_context():
        liker, liked = db.session.get(User, person.id), db.session.get(Post, post.id)
        assert liker is not None and liked is not None
        interactions.like(liker, liked)
        db.session.commit()


def hide(app: Flask, person: User, how: str) -> None:
    """Waiting for deletion, or blocked by a moderator: hidden from every page."""
    with app.app_context():
        account = db.session.get(User, person.id)
        assert account is not None
        if how == "deleted":
            account.deletion_requested_at = utcnow()
        else:
            account.blocked_till = utcnow() + timedelta(days=3)
        db.session.commit()


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(username)
    return client


def likers_on(client: FlaskClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return re.findall(r'<span class="muted">@([a-z0-9._]+)</span>', response.get_data(as_text=True))


def test_the_likers_are_listed_newest_first_from_the_like_count(
    app: Flask, client: FlaskClient
) -> None:
    author, ash, birch = (create_user(app, name) for name in ("author", "ash", "birch"))
    post = create_post(app, author, "A fern")
    untouched = create_post(app, author, "Nobody likes this yet")
    like(app, ash, post)
    like(app, birch, post)

    html = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert f'<a href="/p/{post.id}/likes"><strong>2</strong> likes</a>' in html
    assert f'href="/p/{untouched.id}/likes"' not in client.get(f"/p/{untouched.id}").get_data(
        as_text=True
    )
    assert likers_on(client, f"/p/{post.id}/likes") == ["birch", "ash"]
    empty = client.get(f"/p/{untouched.id}/likes").get_data(as_text=True)
    assert "No likes yet" in empty


def test_the_list_is_there_only_for_those_who_may_see_the_post(app: Flask) -> None:
    author, friend, _stranger = (create_user(app, name) for name in ("author", "friend", "other"))
    follow(app, friend, author)
    closed = create_post(app, author, "For friends", visibility=Visibility.FOLLOWERS)
    like(app, friend, closed)
    path = f"/p/{closed.id}/likes"

    assert app.test_client().get(path).status_code == 404
    assert signed_in(app, "other").get(path).status_code == 404
    assert likers_on(signed_in(app, "friend"), path) == ["friend"]
    assert likers_on(signed_in(app, "author"), path) == ["friend"]
    assert app.test_client().get(f"/p/{closed.id + 1000}/likes").status_code == 404
    assert app.test_client().get("/p/not-a-number/likes").status_code == 404


def test_a_private_accounts_posts_keep_their_likers_to_its_followers(app: Flask) -> None:
    author, friend, _stranger = (create_user(app, name) for name in ("author", "friend", "other"))
    post = create_post(app, author, "Public post, then the account went private")
    follow(app, friend, author)
    like(app, friend, post)
    make_private(app, author)
    path = f"/p/{post.id}/likes"

    assert app.test_client().get(path).status_code == 404
    assert signed_in(app, "other").get(path).status_code == 404
    assert likers_on(signed_in(app, "friend"), path) == ["friend"]


def test_a_private_liker_is_listed_as_on_follower_lists(app: Flask, client: FlaskClient) -> None:
    author, shy = create_user(app, "author"), create_user(app, "shy")
    post = create_post(app, author, "Hello")
    like(app, shy, post)
    make_private(app, shy)
    assert likers_on(client, f"/p/{post.id}/likes") == ["shy"]


def test_blocks_either_way_leave_the_liker_out_and_keep_the_post_away(app: Flask) -> None:
    author, blocker, blocked, bystander = (
        create_user(app, name) for name in ("author", "blocker", "blocked", "bystander")
    )
    post = create_post(app, author, "Hello")
    for person in (blocker, blocked, bystander):
        like(app, person, post)
    block(app, blocker, create_user(app, "viewer"))
    block(app, create_user(app, "viewer2"), blocked)
    path = f"/p/{post.id}/likes"

    # "viewer" is blocked by one liker; "viewer2" blocked the other: each vanishes for them.
    assert likers_on(signed_in(app, "viewer"), path) == ["bystander", "blocked"]
    assert likers_on(signed_in(app, "viewer2"), path) == ["bystander", "blocker"]
    assert likers_on(app.test_client(), path) == ["bystander", "blocked", "blocker"]
    # A block between the viewer and the post's author hides the post and its likers.
    block(app, author, bystander)
    assert signed_in(app, "bystander").get(path).status_code == 404
    block(app, create_user(app, "critic"), author)
    assert signed_in(app, "critic").get(path).status_code == 404


@pytest.mark.parametrize("how", ["deleted", "moderator-blocked"])
def test_hidden_likers_are_left_out_for_everyone(app: Flask, how: str) -> None:
    author, gone, stays = (create_user(app, name) for name in ("author", "gone", "stays"))
    post = create_post(app, author, "Hello")
    like(app, gone, post)
    like(app, stays, post)
    hide(app, gone, how)
    path = f"/p/{post.id}/likes"
    assert likers_on(app.test_client(), path) == ["stays"]
    assert likers_on(signed_in(app, "author"), path) == ["stays"]


@pytest.mark.parametrize("how", ["deleted", "moderator-blocked"])
def test_a_hidden_authors_post_has_no_likers_page(app: Flask, how: str) -> None:
    author, fan = create_user(app, "author"), create_user(app, "fan")
    post = create_post(app, author, "Hello")
    like(app, fan, post)
    hide(app, author, how)
    assert signed_in(app, "fan").get(f"/p/{post.id}/likes").status_code == 404


def test_pages_hold_every_liker_once_newest_first_even_when_times_tie(
    app: Flask, client: FlaskClient
) -> None:
    author = create_user(app, "author")
    post = create_post(app, author, "Popular")
    now = utcnow()
    with app.app_context():
        people = [
            User(
                username=f"fan{number:03}",
                email=f"fan{number}@example.org",
                email_key=f"fan{number}@example.org",
                password_hash="-",
                email_verified_at=now,
            )
            for number in range(123)
        ]
        db.session.add_all(people)
        db.session.flush()
        # Three likes a second, so every page boundary falls between likes of the same time.
        db.session.add_all(
            Like(user_id=person.id, post_id=post.id, created_at=now - timedelta(seconds=n // 3))
            for n, person in enumerate(people)
        )
        db.session.commit()
        expected = [
            person.username
            for _, person in sorted(
                ((n // 3, -person.id), person) for n, person in enumerate(people)
            )
        ]
    seen: list[str] = []
    path = f"/p/{post.id}/likes"
    for _ in range(5):
        html = client.get(path).get_data(as_text=True)
        seen += re.findall(r'<span class="muted">@([a-z0-9._]+)</span>', html)
        match = re.search(r'href="\?before=([0-9-]+)" rel="next"', html)
        if not match:
            break
        path = f"/p/{post.id}/likes?before={match.group(1)}"
    assert seen == expected
    assert len(seen) == 123


@pytest.mark.parametrize(
    "cursor",
    [
        *("x", "12", "-1", "1-", "1-2-3", "١٢-٣", "1-%00", "1.5-2"),
        *("9" * 19 + "-1", "999999999999999999-1", "1-" + "9" * 20, "1-" + "9" * 19),
    ],
)
def test_a_bad_cursor_is_a_400(app: Flask, client: FlaskClient, cursor: str) -> None:
    post = create_post(app, create_user(app, "author"), "Hello")
    assert client.get(f"/p/{post.id}/likes?before={cursor}").status_code == 400


def test_a_cursor_past_the_end_is_an_empty_page(app: Flask, client: FlaskClient) -> None:
    author, fan = create_user(app, "author"), create_user(app, "fan")
    post = create_post(app, author, "Hello")
    like(app, fan, post)
    assert likers_on(client, f"/p/{post.id}/likes?before=1-1") == []
    assert likers_on(client, f"/p/{post.id}/likes?before=200000000000000000-1") == ["fan"]
