"""An upload racing a switch to private (or a deletion) never leaves a public photo behind.

Each side runs in a thread of its own, as two requests would, against a database
that really commits; the thread ends its "request" with a commit, as the request
edge does. The test decides the order: a photo whose bytes are held back (like a
slow 17 MB upload), or a side that has flushed and waits to commit. It waits for
states (an event, a backend waiting on a lock), never for a fixed time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Audience, Post, User
from app.services.accounts import profiles
from app.services.content import posts
from tests.factories import create_user, jpeg_bytes
from tests.support.apps import build_app, migrated_database
from tests.support.races import PATIENCE, Side, delete_account, wait_for_lock_wait
from tests.support.stored_media import keys_in

pytestmark = [pytest.mark.postgres, pytest.mark.media]


@pytest.fixture(scope="module")
def committing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_database(tmp_path_factory, "upload-races-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("upload-races") / "media")
        yield app
        with app.app_context():
            db.engine.dispose()


class HeldPhoto(io.BytesIO):
    """A photo whose bytes arrive only once ``release`` is set, like a large upload."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__(jpeg_bytes())
        self.reading = threading.Event()
        self.release = release

    def read(self, size: int | None = -1) -> bytes:
        self.reading.set()
        assert self.release.wait(PATIENCE), "the photo was never released"
        return super().read(size)


def upload_by(user_id: int, photo: io.BytesIO) -> Callable[[], str]:
    def work() -> str:
        author = db.session.get(User, user_id)  # loaded as the request starts, like current_user
        assert author is not None
        post = posts.create(author, [posts.Upload(photo, "A racing photo")], "Just now")
        return post.photos[0].storage_key

    return work


def go_private(user_id: int) -> Callable[[], None]:
    def work() -> None:
        user = db.session.get(User, user_id)
        assert user is not None
        profiles.update_privacy(
            user,
            is_private=True,
            hide_follow_lists=False,
            comment_audience=Audience.EVERYONE,
            mention_audience=Audience.EVERYONE,
        )

    return work


def areas_of(app: Flask, key: str) -> list[str]:
    return sorted(area for area in ("public", "private") if key in keys_in(app, area))


@pytest.mark.parametrize("switch", [go_private, delete_account], ids=["private", "deleted"])
def test_the_switch_commits_while_the_photo_is_still_arriving(
    committing_app: Flask, switch: Callable[[int], Callable[[], None]]
) -> None:
    """The reported race: the account changes during a slow upload, which commits last."""
    user = create_user(committing_app)
    release = threading.Event()
    photo = HeldPhoto(release)
    upload = Side(committing_app, upload_by(user.id, photo))
    assert photo.reading.wait(PATIENCE)
    Side(committing_app, switch(user.id)).finish()  # committed before a byte is read
    release.set()
    key = upload.finish()
    assert isinstance(key, str)
    assert areas_of(committing_app, key) == ["private"]


def test_the_switch_is_committing_when_the_upload_comes_to_publish(
    committing_app: Flask,
) -> None:
    """The switch has flushed (and moved the older photos); the upload reaches its files."""
    user = create_user(committing_app)
    commit_switch = threading.Event()
    switch = Side(committing_app, go_private(user.id), commit_switch)
    assert switch.flushed.wait(PATIENCE)
    upload = Side(committing_app, upload_by(user.id, io.BytesIO(jpeg_bytes())))
    wait_for_lock_wait(committing_app, upload)
    commit_switch.set()
    switch.finish()
    key = upload.finish()
    assert isinstance(key, str)
    assert areas_of(committing_app, key) == ["private"]


def test_the_upload_is_committing_when_the_switch_comes(committing_app: Flask) -> None:
    """The upload has written its files and flushed; the switch must wait and take it along."""
    user = create_user(committing_app)
    commit_upload = threading.Event()
    upload = Side(committing_app, upload_by(user.id, io.BytesIO(jpeg_bytes())), commit_upload)
    assert upload.flushed.wait(PATIENCE)
    switch = Side(committing_app, go_private(user.id))
    wait_for_lock_wait(committing_app, switch)
    commit_upload.set()
    key = upload.finish()
    switch.finish()
    assert isinstance(key, str)
    assert areas_of(committing_app, key) == ["private"]
    with committing_app.app_context():
        stored = db.session.get(User, user.id)
        assert stored is not None and stored.is_private
        count = sa.select(sa.func.count()).select_from(Post).where(Post.author_id == user.id)
        assert db.session.scalar(count) == 1


def test_an_avatar_arriving_while_the_account_is_deleted_stays_private(
    committing_app: Flask,
) -> None:
    user = create_user(committing_app)
    release = threading.Event()
    photo = HeldPhoto(release)

    def set_avatar() -> str:
        me = db.session.get(User, user.id)
        assert me is not None
        profiles.set_avatar(me, photo)
        assert me.avatar_key is not None
        return me.avatar_key

    upload = Side(committing_app, set_avatar)
    assert photo.reading.wait(PATIENCE)
    Side(committing_app, delete_account(user.id)).finish()
    release.set()
    key = upload.finish()
    assert isinstance(key, str)
    assert areas_of(committing_app, key) == ["private"]
