"""A like racing its account's deletion never leaves a count the lists contradict.

Each side runs in a thread of its own against a database that really commits, as two
requests would (tests/support/races.py has the harness). Whichever of the
two commits first, the like ends up outside the count, as the liker is outside every
list, and the recount from scratch agrees.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from app.demo import recount
from app.extensions import db
from app.models import Post, User
from app.services.content import interactions
from tests.factories import create_post, create_user
from tests.support.apps import build_app, migrated_database
from tests.support.races import PATIENCE, Side, delete_account, wait_for_lock_wait

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def committing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_database(tmp_path_factory, "count-races-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("count-races") / "media")
        yield app
        with app.app_context():
            db.engine.dispose()


def like(user_id: int, post_id: int) -> Callable[[], None]:
    def work() -> None:
        actor, post = db.session.get(User, user_id), db.session.get(Post, post_id)
        assert actor is not None and post is not None
        interactions.like(actor, post)

    return work


def outcome(app: Flask, post_id: int) -> tuple[int, tuple[int, int]]:
    """The post's like count, and what a recount from scratch would change."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        likes = post.like_count
        changed = recount.recount_users(), recount.recount_posts()
        db.session.rollback()
    return likes, changed


def test_the_like_is_committing_when_the_deletion_comes(committing_app: Flask) -> None:
    """The like has been written and counted; the deletion waits for it, then takes it out."""
    author, liker = create_user(committing_app), create_user(committing_app)
    post = create_post(committing_app, author)
    commit_like = threading.Event()
    liking = Side(committing_app, like(liker.id, post.id), commit_like)
    assert liking.flushed.wait(PATIENCE)
    deleting = Side(committing_app, delete_account(liker.id))
    wait_for_lock_wait(committing_app, deleting)
    commit_like.set()
    liking.finish()
    deleting.finish()
    assert outcome(committing_app, post.id) == (0, (0, 0))


def test_the_deletion_is_committing_when_the_like_comes(committing_app: Flask) -> None:
    """The account is being hidden; the like waits for it, then sees it and counts nothing."""
    author, liker = create_user(committing_app), create_user(committing_app)
    post = create_post(committing_app, author)
    commit_deletion = threading.Event()
    deleting = Side(committing_app, delete_account(liker.id), commit_deletion)
    assert deleting.flushed.wait(PATIENCE)
    liking = Side(committing_app, like(liker.id, post.id))
    wait_for_lock_wait(committing_app, liking)
    commit_deletion.set()
    deleting.finish()
    liking.finish()
    assert outcome(committing_app, post.id) == (0, (0, 0))
