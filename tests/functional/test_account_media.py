"""A deleted or blocked account's files leave the public area at once, and come back after.

nginx serves the public area without asking the app, so a file left there stays
reachable by its URL whatever the pages say. These tests look at the files on
disk and at the app's own /media route; tests/integration/test_nginx_media.py
asks the real nginx. Ivy has a public post, a followers-only post and an avatar;
Fern follows her; Warden is a moderator.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Photo, Post, User, Visibility, utcnow
from app.services.accounts import profiles
from app.services.media.media_storage import media_storage, new_key
from app.services.moderation import decisions
from app.worker import maintenance
from tests.factories import create_post, create_user, follow, jpeg_bytes, make_private
from tests.support.auth import AuthActions
from tests.support.moderation import expire_block, moderate, signed_in, stored_user
from tests.support.pages import csrf_token_for
from tests.support.stored_media import fetch_media, keys_in

pytestmark = pytest.mark.media

REASON = "Posting other people's photos"
PHOTO_VARIANTS = ("display", "medium", "thumb")
AVATAR_VARIANTS = ("avatar", "avatar_small")


@dataclass(frozen=True)
class Ivy:
    user: User
    public_keys: frozenset[str]  # her public post's photos
    followers_keys: frozenset[str]  # her followers-only post's photo
    avatar: str


def give_avatar(app: Flask, user: User) -> str:
    with app.test_request_context():
        account = db.session.get(User, user.id)
        assert account is not None
        profiles.set_avatar(account, io.BytesIO(jpeg_bytes(96, 96)))
        db.session.commit()
        assert account.avatar_key is not None
        return account.avatar_key


def statuses(client: FlaskClient, ivy: Ivy) -> set[int]:
    """What ``client`` gets for every file of Ivy's public post and of her avatar."""
    urls = [f"/media/{key}/{v}.webp" for key in ivy.public_keys for v in PHOTO_VARIANTS]
    urls += [f"/media/{ivy.avatar}/{v}.webp" for v in AVATAR_VARIANTS]
    return {fetch(client, url)[0] for url in urls}


def fetch(client: FlaskClient, url: str) -> tuple[int, str]:
    """The status and Cache-Control of a GET, with the file it may have opened closed (from
    the bucket, for a public file on S3)."""
    return fetch_media(client, url)


@pytest.fixture
def ivy(app: Flask) -> Ivy:
    create_user(app, "warden", admin=True)
    user = create_user(app, "ivy")
    follow(app, create_user(app, "fern"), user)
    public = create_post(app, user, "Moss on a wall", photos=2)
    followers = create_post(app, user, "For friends", visibility=Visibility.FOLLOWERS)
    return Ivy(
        user,
        frozenset(photo.storage_key for photo in public.photos),
        frozenset(photo.storage_key for photo in followers.photos),
        give_avatar(app, user),
    )


def ivy_logs_in(app: Flask) -> bool:
    """Whether Ivy gets in (a refusal also answers 303, back to the login page)."""
    response = AuthActions(app.test_client()).login("ivy")
    return response.status_code == 303 and response.headers["Location"] == "/home"


def delete_ivy(app: Flask) -> None:
    client = signed_in(app, "ivy")
    token = csrf_token_for(client)
    response = client.post("/settings/delete", data={"csrf_token": token, "username": "ivy"})
    assert response.status_code == 303


def block_ivy(app: Flask, days: str = "3") -> None:
    data = {"block_days": days, "block_reason": REASON}
    status, page = moderate(app, "/admin/users/ivy/block", data)
    assert status == 303, page


def assert_public_as_before(app: Flask, ivy: Ivy) -> None:
    everything = ivy.public_keys | ivy.followers_keys | {ivy.avatar}
    assert keys_in(app, "public") & everything == ivy.public_keys | {ivy.avatar}
    assert keys_in(app, "private") & everything == ivy.followers_keys


def assert_hidden(app: Flask, ivy: Ivy) -> None:
    everything = ivy.public_keys | ivy.followers_keys | {ivy.avatar}
    assert keys_in(app, "public") & everything == set()
    assert keys_in(app, "private") & everything == everything  # kept, to be restored
    for viewer in (None, "fern", "ivy.stranger"):
        assert statuses(signed_in(app, viewer), ivy) == {404}, viewer


def test_a_deletion_request_takes_every_public_file_out_at_once_and_restoring_brings_it_back(
    app: Flask, ivy: Ivy
) -> None:
    create_user(app, "ivy.stranger")
    assert_public_as_before(app, ivy)
    assert statuses(app.test_client(), ivy) == {200}

    delete_ivy(app)
    assert_hidden(app, ivy)

    assert ivy_logs_in(app)  # within the grace period: restored
    assert_public_as_before(app, ivy)
    assert statuses(app.test_client(), ivy) == {200}
    followers_only = next(iter(ivy.followers_keys))
    assert fetch(app.test_client(), f"/media/{followers_only}/thumb.webp")[0] == 404
    assert fetch(signed_in(app, "fern"), f"/media/{followers_only}/thumb.webp")[0] == 200


def test_restoring_a_private_account_makes_public_only_what_was_public(
    app: Flask, ivy: Ivy
) -> None:
    make_private(app, ivy.user)
    with app.test_request_context():  # as going private does: her post's photos move
        for key in ivy.public_keys:
            media_storage().set_public(key, False)
    everything = ivy.public_keys | ivy.followers_keys | {ivy.avatar}
    assert keys_in(app, "public") & everything == {ivy.avatar}

    delete_ivy(app)
    assert keys_in(app, "public") & everything == set()
    assert ivy_logs_in(app)

    assert keys_in(app, "public") & everything == {ivy.avatar}
    photo = next(iter(ivy.public_keys))
    assert fetch(app.test_client(), f"/media/{photo}/display.webp")[0] == 404
    status, cache = fetch(signed_in(app, "fern"), f"/media/{photo}/display.webp")
    assert status == 200 and cache.startswith("private")


def test_a_moderators_block_hides_the_files_until_a_moderator_lifts_it(
    app: Flask, ivy: Ivy
) -> None:
    create_user(app, "ivy.stranger")
    block_ivy(app)
    assert_hidden(app, ivy)

    status, page = moderate(app, "/admin/users/ivy/unblock", {"unblock_reason": "Appeal upheld"})
    assert status == 303, page
    assert_public_as_before(app, ivy)
    assert statuses(app.test_client(), ivy) == {200}


def test_a_block_whose_time_is_up_brings_the_files_back_when_she_logs_in(
    app: Flask, ivy: Ivy
) -> None:
    block_ivy(app)
    expire_block(app, ivy.user)
    # Until the block is lifted, the files are still private but served after the check.
    assert keys_in(app, "public") & ivy.public_keys == set()
    assert statuses(app.test_client(), ivy) == {200}

    assert ivy_logs_in(app)
    assert stored_user(app, ivy.user.id).blocked_till is None
    assert_public_as_before(app, ivy)


def test_the_maintenance_run_brings_back_the_files_of_blocks_whose_time_is_up(
    app: Flask, ivy: Ivy
) -> None:
    block_ivy(app)
    assert keys_in(app, "public") & ivy.public_keys == set()
    expire_block(app, ivy.user)
    with app.app_context():
        assert maintenance.run(utcnow()).lifted_blocks == 1
    assert_public_as_before(app, ivy)


def test_a_moderators_removal_takes_the_files_out_and_logging_in_brings_nothing_back(
    app: Flask, ivy: Ivy
) -> None:
    create_user(app, "ivy.stranger")
    data = {"delete_reason": "Spam, over and over"}
    status, page = moderate(app, "/admin/users/ivy/delete", data)
    assert status == 303, page
    assert_hidden(app, ivy)
    assert not ivy_logs_in(app)
    assert_hidden(app, ivy)


def test_a_blocked_account_a_moderator_then_removes_stays_hidden_when_the_block_ends(
    app: Flask, ivy: Ivy
) -> None:
    create_user(app, "ivy.stranger")
    block_ivy(app)
    status, page = moderate(app, "/admin/users/ivy/delete", {"delete_reason": "Repeated"})
    assert status == 303, page
    expire_block(app, ivy.user)
    with app.app_context():
        maintenance.run(utcnow())
    assert not ivy_logs_in(app)
    assert_hidden(app, ivy)


def test_a_block_that_never_commits_puts_the_files_back(app: Flask, ivy: Ivy) -> None:
    """The block's service runs in a request that then fails: the unit of work rolls back."""
    app.config.update(PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=False)
    public_while_blocking: list[set[str]] = []

    @app.post("/_test/block-then-fail")
    def block_then_fail() -> str:
        by_name = {u.username: u for u in db.session.scalars(sa.select(User))}
        decisions.block(by_name["warden"], by_name["ivy"], REASON, 3)
        public_while_blocking.append(keys_in(app, "public") & ivy.public_keys)
        raise RuntimeError("the commit never comes")

    assert app.test_client().post("/_test/block-then-fail").status_code == 500
    assert public_while_blocking == [set()]  # hidden before the commit
    assert stored_user(app, ivy.user.id).blocked_till is None
    assert_public_as_before(app, ivy)


def test_a_moderator_still_sees_a_hidden_accounts_avatar(app: Flask, ivy: Ivy) -> None:
    block_ivy(app)
    warden = signed_in(app, "warden")
    page = warden.get("/admin/users/ivy").get_data(as_text=True)
    assert f"/media/{ivy.avatar}/avatar.webp" in page
    status, cache = fetch(warden, f"/media/{ivy.avatar}/avatar.webp")
    assert status == 200 and cache.startswith("private")
    assert fetch(signed_in(app, "fern"), f"/media/{ivy.avatar}/avatar.webp")[0] == 404


def test_every_photo_of_a_large_account_leaves_the_public_area_in_the_request(
    app: Flask, ivy: Ivy
) -> None:
    """Hundreds of photos over most of the 256 fan-out folders, moved before the commit."""
    with app.test_request_context():
        storage = media_storage()
        post = db.session.scalars(
            sa.select(Post).where(Post.author_id == ivy.user.id, Post.caption == "Moss on a wall")
        ).one()
        variants = {v: b"webp bytes of " + v.encode() for v in PHOTO_VARIANTS}
        many = []
        for position in range(2, 602):
            key = new_key()
            storage.save(key, variants, public=True)
            many.append(key)
            db.session.add(
                Photo(post_id=post.id, position=position, storage_key=key, width=64, height=48)
            )
        db.session.commit()
    delete_ivy(app)
    assert keys_in(app, "public") & set(many) == set()
    assert keys_in(app, "private") >= set(many)
    assert ivy_logs_in(app)
    assert keys_in(app, "public") >= set(many)


MEDIA_HOST = "https://media.sapling.example.org"


@pytest.mark.config(MEDIA_PUBLIC_URL=MEDIA_HOST)
def test_files_not_in_the_public_area_are_never_linked_on_the_media_host(
    app: Flask, ivy: Ivy
) -> None:
    """The media host has only the public area: a hidden account's avatar on the admin pages,
    and the files of a block whose time is up but is not lifted yet, link to this host."""
    block_ivy(app)
    admin_page = signed_in(app, "warden").get("/admin/users/ivy").get_data(as_text=True)
    assert f'src="/media/{ivy.avatar}/avatar.webp"' in admin_page
    assert MEDIA_HOST not in admin_page

    expire_block(app, ivy.user)
    profile = app.test_client().get("/@ivy").get_data(as_text=True)
    assert any(f'src="/media/{key}/' in profile for key in ivy.public_keys)
    assert MEDIA_HOST not in profile

    with app.app_context():
        maintenance.run(utcnow())
    profile = app.test_client().get("/@ivy").get_data(as_text=True)
    assert f"{MEDIA_HOST}/media/{ivy.avatar}/avatar.webp" in profile
    assert any(f"{MEDIA_HOST}/media/{key}/" in profile for key in ivy.public_keys)
