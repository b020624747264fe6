"""Counters that never count someone the lists leave out.

A post's likes and comments and a profile's followers and following are denormalised
counters (``Post.like_count``, ``User.follower_count`` ...), so no page counts rows. Every
list leaves out hidden accounts (``User.account_active``: waiting for deletion, or blocked
by a moderator), so the counters must too, from the moment the account is hidden:

- a counter counts the rows whose contributor (the liker, the commenter, the follower; for
  ``following_count`` the account followed) has ``counts_withdrawn`` false;
- ``settle`` flips that flag to match ``account_active`` and moves every counter the
  account contributes to by its rows, one set-based UPDATE per counter. It runs wherever
  the account's state changes: a deletion request, a cancelled deletion, a moderator's
  block, its lifting, and before the purge (so the purge subtracts nothing twice);
- a like, comment or follow written or removed by a withdrawn account moves no counter
  (``counted``), so a request in flight while its account is hidden cannot make drift.

Concurrency: ``settle`` decides under the account's row lock (its UPDATE), and ``counted``
reads the flag under a share lock, so a like committing during a deletion is either seen by
the deletion's recount (the like committed first) or sees the flag (it waits). Settling
twice finds nothing to flip and moves nothing. After the account's own row, the rows
``settle`` moves are locked in id order, the other users first, then the posts, as a
single like (its liker, then its post) or follow (both users, in id order) takes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.orm import QueryableAttribute

from app.extensions import db
from app.models import Comment, Follow, Like, Post, User, utcnow


def counted(*user_ids: int) -> dict[int, bool]:
    """Whether each account's likes, comments and follows count now, read under a share
    lock held until the transaction ends: hiding the account waits for this change, or this
    change waits for the hiding and sees it."""
    rows = db.session.execute(
        select(User.id, User.counts_withdrawn)
        .where(User.id.in_(set(user_ids)))
        .order_by(User.id)
        .with_for_update(read=True)
    )
    found = {user_id: not withdrawn for user_id, withdrawn in rows}
    return {user_id: found.get(user_id, False) for user_id in user_ids}


def counts(user_id: int) -> bool:
    """``counted`` for one account."""
    return counted(user_id)[user_id]


def settle(user_id: int, now: datetime | None = None) -> int:
    """Make the counters agree with the account's state at ``now``: take its contributions
    out if it is hidden, put them back if it is active. Returns -1, +1, or 0 when they
    already agreed (settling twice, or racing another settle, moves nothing)."""
    active = User.active_at(now or utcnow())
    flipped = db.session.execute(
        update(User)
        .where(User.id == user_id, User.counts_withdrawn == active)
        # Not an edit of the profile: updated_at stays as it was.
        .values(counts_withdrawn=~active, updated_at=User.updated_at)
        .returning(User.counts_withdrawn)
        .execution_options(synchronize_session="fetch")
    ).scalar_one_or_none()
    if flipped is None:
        return 0
    sign = -1 if flipped else 1
    _shift(user_id, sign)
    return sign


def due_back(now: datetime | None = None) -> list[int]:
    """Withdrawn accounts that are active again: a timed block whose time is up shows the
    account's content at once, and the maintenance run lifts it and settles these (a
    partial index keeps the few withdrawn accounts at hand)."""
    query = select(User.id).where(User.counts_withdrawn, User.active_at(now or utcnow()))
    return list(db.session.scalars(query.order_by(User.id)))


def _shift(user_id: int, sign: int) -> None:
    followees = select(Follow.followee_id).where(Follow.follower_id == user_id)
    followers = select(Follow.follower_id).where(Follow.followee_id == user_id)
    liked = select(Like.post_id).where(Like.user_id == user_id)
    commented = select(Comment.post_id).where(Comment.author_id == user_id)
    _lock(select(User.id).where(or_(User.id.in_(followees), User.id.in_(followers))))
    _move(User, User.follower_count, sign, followees)
    _move(User, User.following_count, sign, followers)
    _lock(select(Post.id).where(or_(Post.id.in_(liked), Post.id.in_(commented))))
    _move(Post, Post.like_count, sign, liked)
    theirs = (
        select(func.count())
        .select_from(Comment)
        .where(Comment.post_id == Post.id, Comment.author_id == user_id)
        .scalar_subquery()
    )
    db.session.execute(
        update(Post)
        .where(Post.id.in_(commented))
        .values(comment_count=Post.comment_count + sign * theirs)
        .execution_options(synchronize_session="fetch")
    )


def _lock(ids: Select[int]) -> None:
    """Row locks in id order before a set-based UPDATE, which would lock in scan order;
    taken inside the database (a locking subquery), so no id travels to Python."""
    locking = ids.order_by(ids.selected_columns[0]).with_for_update(key_share=True)
    db.session.execute(select(func.count()).select_from(locking.subquery()))


def _move(
    model: type[User] | type[Post],
    counter: QueryableAttribute[int],
    sign: int,
    ids: Select[int],
) -> None:
    values: dict[QueryableAttribute[int], ColumnElement[int]] = {counter: counter + sign}
    statement = update(model).where(model.id.in_(ids)).values(values)
    if model is User:  # a recount is not an edit of the profile
        statement = statement.values(updated_at=User.updated_at)
    # "fetch": objects already in the session show the new count, not the one before.
    db.session.execute(statement.execution_options(synchronize_session="fetch"))
