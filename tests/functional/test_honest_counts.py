"""Counts that never contradict the lists (issue #17, item 6).

Ash posts; Bea and Cyd like the post, Bea comments on it, both follow Ash and Ash follows
Bea. When Bea's account is hidden (a deletion request, a moderator's block), every count
leaves her out at once, as every list does, and takes her back when the account returns;
the purge then subtracts nothing twice. After each step the set-based recount
(``app/demo/recount.py``) finds nothing to correct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import joinedload

from app.demo import recount
from app.extensions import db
from app.models import Comment, Post, User, utcnow
from app.services.content import counters, interactions, social
from app.services.privacy import purge
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions
from tests.support.members import login, send
from tests.support.moderation import moderate
from tests.support.pages import csrf_token_for


@dataclass(frozen=True)
class Cast:
    ash: User
    bea: User
    post: Post  # Ash's, liked by Bea and Cyd, with Bea's comment
    other: Post  # another of Ash's, that nobody liked yet


@dataclass(frozen=True)
class Seen:
    """What Cyd sees: each count, and the length of the list it counts."""

    likes: int
    comments: int  # the post page's list
    comment_link: str  # the feed card's "View the comment" link, or ""
    followers: int
    listed_followers: int
    following: int
    listed_following: int


@pytest.fixture
def cast(app: Flask) -> Cast:
    create_user(app, "warden", admin=True)
    ash, bea, cyd = (create_user(app, name) for name in ("ash", "bea", "cyd"))
    post = create_post(app, ash, "Frost on the meadow")
    other = create_post(app, ash, "Fog later")
    follow(app, bea, ash)
    follow(app, cyd, ash)
    follow(app, ash, bea)
    for name in ("bea", "cyd"):
        assert send(login(app, name), f"/p/{post.id}/like", on="1") == 303
    assert send(login(app, "bea"), f"/p/{post.id}/comments", body="Lovely light") == 303
    return Cast(ash, bea, post, other)


def seen(app: Flask, cast: Cast) -> Seen:
    cyd = login(app, "cyd")
    page = cyd.get(f"/p/{cast.post.id}").get_data(as_text=True)
    likes = re.search(r'class="post-card__counts">(?:<a [^>]*>)?<strong>(\d+)</strong>', page)
    feed = cyd.get("/home").get_data(as_text=True)
    link = re.search(rf'href="/p/{cast.post.id}#comments">([^<]+)</a>', feed)
    profile = cyd.get("/@ash").get_data(as_text=True)
    stats = {
        which: int(number)
        for number, which in re.findall(r"<strong>(\d+)</strong> (followers|following)", profile)
    }

    def listed(which: str) -> int:
        people = cyd.get(f"/@ash/{which}").get_data(as_text=True)
        return people.count('class="list__item person"')

    assert likes is not None
    return Seen(
        likes=int(likes.group(1)),
        comments=page.count('class="list__item comment"'),
        comment_link=link.group(1) if link else "",
        followers=stats["followers"],
        listed_followers=listed("followers"),
        following=stats["following"],
        listed_following=listed("following"),
    )


WITH_BEA = Seen(2, 1, "View the comment", 2, 2, 1, 1)
WITHOUT_BEA = Seen(1, 0, "", 1, 1, 0, 0)


def assert_recount_agrees(app: Flask) -> None:
    """Counting every row from scratch changes nothing: the services kept the same count."""
    with app.app_context():
        changed = recount.recount_users(), recount.recount_posts()
        db.session.rollback()
    assert changed == (0, 0)


def stored(app: Flask, model: type[User] | type[Post], row_id: int) -> dict[str, int]:
    with app.app_context():
        row = db.session.get(model, row_id)
        assert row is not None
        names = ("like_count", "comment_count") if model is Post else ("follower_count",)
        return {name: getattr(row, name) for name in names}


def test_before_anything_happens_the_counts_match_the_lists(app: Flask, cast: Cast) -> None:
    assert seen(app, cast) == WITH_BEA
    assert_recount_agrees(app)


def test_a_deletion_request_takes_the_account_out_of_every_count_and_restoring_undoes_it(
    app: Flask, cast: Cast
) -> None:
    bea = login(app, "bea")
    response = bea.post(
        "/settings/delete", data={"csrf_token": csrf_token_for(bea), "username": "bea"}
    )
    assert response.status_code == 303

    assert seen(app, cast) == WITHOUT_BEA
    assert "No comments yet." in login(app, "cyd").get(f"/p/{cast.post.id}").get_data(as_text=True)
    assert_recount_agrees(app)

    assert AuthActions(app.test_client()).login("bea").status_code == 303  # restores it
    assert seen(app, cast) == WITH_BEA
    assert_recount_agrees(app)


def test_a_moderators_block_takes_the_account_out_and_unblocking_brings_it_back(
    app: Flask, cast: Cast
) -> None:
    status, page = moderate(
        app, "/admin/users/bea/block", {"block_days": "3", "block_reason": "Spam"}
    )
    assert status == 303, page
    assert seen(app, cast) == WITHOUT_BEA
    assert_recount_agrees(app)

    status, page = moderate(app, "/admin/users/bea/unblock", {"unblock_reason": "Appeal"})
    assert status == 303, page
    assert seen(app, cast) == WITH_BEA
    assert_recount_agrees(app)


def test_a_timed_block_counts_again_once_the_maintenance_run_lifts_it(
    app: Flask, runner: FlaskCliRunner, cast: Cast
) -> None:
    status, _ = moderate(app, "/admin/users/bea/block", {"block_days": "3", "block_reason": "x"})
    assert status == 303
    with app.app_context():  # three days later
        db.session.execute(
            sa.update(User)
            .where(User.id == cast.bea.id)
            .values(blocked_till=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
        result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert seen(app, cast) == WITH_BEA
    assert_recount_agrees(app)


def test_hiding_twice_and_the_purge_never_subtract_twice(app: Flask, cast: Cast) -> None:
    status, _ = moderate(app, "/admin/users/bea/block", {"block_days": "3", "block_reason": "x"})
    assert status == 303
    status, page = moderate(app, "/admin/users/bea/delete", {"delete_reason": "Spam ring"})
    assert status == 303, page
    with app.app_context():
        assert counters.settle(cast.bea.id) == 0  # already out: nothing moves
        db.session.commit()
    assert seen(app, cast) == WITHOUT_BEA

    with app.app_context():
        later = utcnow() + app.config["ACCOUNT_DELETION_GRACE"] + timedelta(days=1)
        assert purge.purge_account(cast.bea.id, later)
        db.session.commit()
    assert seen(app, cast) == WITHOUT_BEA
    assert stored(app, Post, cast.post.id) == {"like_count": 1, "comment_count": 0}
    assert_recount_agrees(app)


def test_what_a_hidden_account_does_or_undoes_meanwhile_moves_no_count(
    app: Flask, cast: Cast
) -> None:
    """A request in flight when the account was hidden, or a moderator removing its
    comment: the rows change, the counts (which left the account out) do not."""
    status, _ = moderate(app, "/admin/users/bea/block", {"block_days": "3", "block_reason": "x"})
    assert status == 303
    with app.test_request_context():
        bea, ash, warden = (
            db.session.scalars(sa.select(User).where(User.username == name)).one()
            for name in ("bea", "ash", "warden")
        )
        post, other = (
            db.session.scalars(
                sa.select(Post).where(Post.id == row.id).options(joinedload(Post.author))
            ).one()
            for row in (cast.post, cast.other)
        )
        interactions.unlike(bea, post)
        interactions.like(bea, other)
        comment = db.session.scalars(sa.select(Comment).where(Comment.author_id == bea.id)).one()
        interactions.delete_comment(warden, post, comment)
        interactions.add_comment(bea, other, "Still here")
        social.remove_follower(ash, bea)  # Bea no longer follows Ash
        db.session.commit()
    assert stored(app, Post, cast.post.id) == {"like_count": 1, "comment_count": 0}
    assert stored(app, Post, cast.other.id) == {"like_count": 0, "comment_count": 0}
    assert stored(app, User, cast.ash.id) == {"follower_count": 1}
    assert_recount_agrees(app)

    status, _ = moderate(app, "/admin/users/bea/unblock", {"unblock_reason": "Appeal"})
    assert status == 303
    # Back, with what the rows now say: Bea's like and comment on the other post count.
    assert stored(app, Post, cast.post.id) == {"like_count": 1, "comment_count": 0}
    assert stored(app, Post, cast.other.id) == {"like_count": 1, "comment_count": 1}
    assert stored(app, User, cast.ash.id) == {"follower_count": 1}
    assert_recount_agrees(app)


def test_counters_settle_only_when_the_state_changed(app: Flask, cast: Cast) -> None:
    with app.app_context():
        assert counters.settle(cast.bea.id) == 0  # active and counted: nothing to do
        bea = db.session.get(User, cast.bea.id)
        assert bea is not None
        bea.blocked_permanently = True
        db.session.flush()
        assert counters.settle(bea.id) == -1
        assert counters.settle(bea.id) == 0
        bea.blocked_permanently = False
        db.session.flush()
        assert counters.due_back() == [bea.id]
        assert counters.settle(bea.id) == 1
        assert counters.due_back() == []
        db.session.rollback()
