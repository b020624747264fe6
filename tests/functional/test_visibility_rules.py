"""The visibility rules give the same answer in Python and in SQL.

Each rule is one definition (a hybrid on the model, or for rules about other rows one
SQL expression in services/content/access.py); here every case is asked both ways,
of one object in Python and as a filter on the real database, and against what the
rule should say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Post, User, Visibility, utcnow
from app.services.content import access
from tests.factories import block, create_user, follow, make_private

DAY = timedelta(days=1)

# name: (what to set on the account, blocked now, active)
ACCOUNT_STATES: dict[str, tuple[Callable[[datetime], dict[str, Any]], bool, bool]] = {
    "never blocked": (lambda now: {}, False, True),
    "blocked till a future time": (lambda now: {"blocked_till": now + DAY}, True, False),
    "blocked till a past time": (lambda now: {"blocked_till": now - DAY}, False, True),
    "blocked permanently": (lambda now: {"blocked_permanently": True}, True, False),
    "deletion requested": (lambda now: {"deletion_requested_at": now - DAY}, False, False),
}


def set_state(user: User, state: str, now: datetime) -> None:
    for column, value in ACCOUNT_STATES[state][0](now).items():
        setattr(user, column, value)
    db.session.flush()


def sql_says(user_id: int, rule: Callable[[Any], ColumnElement[bool]]) -> set[bool]:
    """The rule asked in SQL of one account, on ``User`` and on an alias of it (as a list
    query joins an author); a set, so one answer means both agreed."""
    answers = set()
    entities: tuple[Any, ...] = (User, aliased(User))
    for entity in entities:
        query = select(entity.id).where(entity.id == user_id, rule(entity))
        answers.add(db.session.scalar(query) is not None)
    return answers


@pytest.mark.parametrize("state", ACCOUNT_STATES)
def test_blocked_now_and_active_agree_in_python_and_sql(app: Flask, state: str) -> None:
    _, blocked, active = ACCOUNT_STATES[state]
    member = create_user(app)
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user is not None
        set_state(user, state, utcnow())
        assert user.is_blocked is blocked
        assert user.account_active is active
        assert sql_says(user.id, lambda entity: entity.is_blocked) == {blocked}
        assert sql_says(user.id, lambda entity: entity.account_active) == {active}


@pytest.mark.parametrize("state", ACCOUNT_STATES)
def test_a_block_at_a_given_moment_agrees_in_python_and_sql(app: Flask, state: str) -> None:
    """A temporary block holds until its time, not at it; a permanent one at any time."""
    member = create_user(app)
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user is not None
        set_state(user, state, utcnow())
        until = user.blocked_till
        moments = [utcnow() - 2 * DAY, utcnow() + 400 * DAY]
        if until is not None:
            moments += [until - timedelta(microseconds=1), until]
        for moment in moments:
            expected = user.blocked_permanently or (until is not None and moment < until)
            assert user.is_blocked_at(moment) is expected, moment

            def blocked_then(entity: Any, at: datetime = moment) -> ColumnElement[bool]:
                return entity.is_blocked_at(at)  # type: ignore[no-any-return]

            assert sql_says(user.id, blocked_then) == {expected}, moment


def test_now_is_read_when_the_rule_is_asked(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither form keeps the time of an earlier call (or of the module's import)."""
    member = create_user(app)
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user is not None
        until = utcnow() + DAY
        user.blocked_till = until
        db.session.flush()
        for clock, blocked in ((until - DAY, True), (until + DAY, False), (until - DAY, True)):
            monkeypatch.setattr("app.models.user.utcnow", lambda clock=clock: clock)
            assert user.is_blocked is blocked
            assert user.account_active is not blocked
            assert sql_says(user.id, lambda entity: entity.is_blocked) == {blocked}
            assert sql_says(user.id, lambda entity: entity.account_active) == {not blocked}


@pytest.mark.parametrize(
    ("visibility", "private_account", "public_audience"),
    [
        (Visibility.PUBLIC, False, True),
        (Visibility.PUBLIC, True, False),
        (Visibility.FOLLOWERS, False, False),
        (Visibility.FOLLOWERS, True, False),
        (Visibility.ONLY_ME, False, False),
        (Visibility.ONLY_ME, True, False),
    ],
)
def test_a_public_audience_agrees_in_python_and_sql(
    app: Flask, visibility: Visibility, private_account: bool, public_audience: bool
) -> None:
    member = create_user(app)
    with app.app_context():
        author = db.session.get(User, member.id)
        assert author is not None
        author.is_private = private_account
        post = Post(author_id=author.id, visibility=visibility)
        db.session.add(post)
        db.session.flush()
        assert post.has_public_audience(author) is public_audience
        entities: tuple[Any, ...] = (User, aliased(User))
        for entity in entities:
            query = (
                select(Post.id)
                .join(entity, entity.id == Post.author_id)
                .where(Post.id == post.id, Post.has_public_audience(entity))
            )
            assert (db.session.scalar(query) is not None) is public_audience


AUTHORS = ("public", "private", *ACCOUNT_STATES)
VIEWERS = ("visitor", "the author", "a follower", "a stranger", "blocked", "blocker")


def test_who_sees_a_post_agrees_in_python_and_sql(app: Flask) -> None:
    """``can_view_post`` (one post) and ``visible_posts`` (a list) for every viewer, post
    and author's state; ``blocked_between`` and ``not_blocked`` likewise."""
    authors = {name: create_user(app) for name in AUTHORS}
    follower, stranger = create_user(app), create_user(app)
    blocked, blocker = create_user(app), create_user(app)
    make_private(app, authors["private"])
    for author in authors.values():
        follow(app, follower, author)
        # Each follows first, so the block's ending of follows is part of the case.
        follow(app, blocked, author)
        follow(app, blocker, author)
        block(app, author, blocked)
        block(app, blocker, author)

    with app.app_context():
        now = utcnow()
        posts: list[tuple[str, Post, User]] = []
        for name, member in authors.items():
            account = db.session.get(User, member.id)
            assert account is not None
            if name in ACCOUNT_STATES:
                set_state(account, name, now)
            for visibility in Visibility:
                post = Post(author_id=account.id, visibility=visibility)
                db.session.add(post)
                posts.append((name, post, account))
        db.session.flush()
        others = {
            "visitor": None,
            "a follower": db.session.get(User, follower.id),
            "a stranger": db.session.get(User, stranger.id),
            "blocked": db.session.get(User, blocked.id),
            "blocker": db.session.get(User, blocker.id),
        }

        disagreements: list[tuple[str, str, str]] = []
        seen: dict[tuple[str, str, Visibility], bool] = {}
        for viewer_name in VIEWERS:
            for author_name, post, author in posts:
                viewer = author if viewer_name == "the author" else others[viewer_name]
                viewer_id = viewer.id if viewer else None
                in_python = access.can_view_post(viewer, post, author)
                listed = db.session.scalar(
                    select(Post.id)
                    .join(User, User.id == Post.author_id)
                    .where(Post.id == post.id, access.visible_posts(viewer_id))
                )
                if in_python is not (listed is not None):
                    disagreements.append((viewer_name, author_name, post.visibility.value))
                seen[viewer_name, author_name, post.visibility] = in_python
                if viewer is not None:
                    unblocked = db.session.scalar(
                        select(User.id).where(
                            User.id == author.id, access.not_blocked(viewer.id, User.id)
                        )
                    )
                    if access.blocked_between(viewer.id, author.id) is not (unblocked is None):
                        disagreements.append((viewer_name, author_name, "blocked either way"))
        assert disagreements == []

        # And what the rule says, for a few of the cases.
        public, private = "public", "private"
        assert seen["visitor", public, Visibility.PUBLIC]
        assert not seen["visitor", public, Visibility.FOLLOWERS]
        assert not seen["visitor", private, Visibility.PUBLIC]
        assert seen["a stranger", public, Visibility.PUBLIC]
        assert not seen["a stranger", private, Visibility.PUBLIC]
        assert seen["a follower", private, Visibility.FOLLOWERS]
        assert seen["the author", private, Visibility.FOLLOWERS]
        # Only me: its author alone, whoever follows or whatever the account's privacy.
        only_me = {
            (viewer_name, author_name): seen[viewer_name, author_name, Visibility.ONLY_ME]
            for viewer_name in ("visitor", "the author", "a follower", "a stranger")
            for author_name in (public, private)
        }
        assert {case for case, shown in only_me.items() if shown} == {
            ("the author", public),
            ("the author", private),
        }
        assert not seen["blocked", public, Visibility.PUBLIC]
        assert not seen["blocker", public, Visibility.PUBLIC]
        for state, (_, _, active) in ACCOUNT_STATES.items():
            for viewer_name in VIEWERS:
                if not active:
                    assert not seen[viewer_name, state, Visibility.PUBLIC], (state, viewer_name)
            assert seen["a follower", state, Visibility.FOLLOWERS] is active, state
