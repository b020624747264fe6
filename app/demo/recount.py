"""Recompute the denormalised counters from the rows they count, set-based.

The services keep the counters in step one change at a time; after a bulk load
(`flask dev seed`) or to repair drift, these statements recount everything with
one UPDATE ... FROM (SELECT ... GROUP BY) per counter family. Only rows that
have something to count, and whose count differs, are written: a row with
nothing to count keeps its value (bulk-loaded rows start at zero). Rows by hidden accounts
(``users.counts_withdrawn``) are not counted, as the services count them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, union_all, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Base, Comment, Follow, Like, Post, User, Visibility


def _counts(contributor: Any) -> ColumnElement[int]:
    """1 for a row whose contributor counts, 0 for a hidden one's (services/content/counters.py):
    the row still names what it counts, so a counter with only hidden contributors goes to 0."""
    return case((contributor.counts_withdrawn, 0), else_=1)


def recount_users() -> int:
    """users.post_count, shared_post_count, public_post_count, follower_count and
    following_count; returns the rows changed."""
    shared = case((Post.reaches_followers, 1), else_=0)
    public = case((Post.visibility == Visibility.PUBLIC, 1), else_=0)
    follower, followee = aliased(User), aliased(User)
    facts = union_all(
        select(Post.author_id.label("user_id"), literal(1).label("p"), shared.label("sp"),
               public.label("pp"), literal(0).label("fr"), literal(0).label("fg")),
        select(Follow.followee_id, literal(0), literal(0), literal(0), _counts(follower),
               literal(0))
        .join(follower, follower.id == Follow.follower_id),
        select(Follow.follower_id, literal(0), literal(0), literal(0), literal(0),
               _counts(followee))
        .join(followee, followee.id == Follow.followee_id),
    ).subquery()  # fmt: skip
    totals = (
        select(
            facts.c.user_id,
            func.sum(facts.c.p).label("posts"),
            func.sum(facts.c.sp).label("shared_posts"),
            func.sum(facts.c.pp).label("public_posts"),
            func.sum(facts.c.fr).label("followers"),
            func.sum(facts.c.fg).label("following"),
        )
        .group_by(facts.c.user_id)
        .subquery()
    )
    users = Base.metadata.tables[User.__tablename__]
    result = db.session.execute(
        update(users)
        .where(users.c.id == totals.c.user_id)
        .where(
            or_(
                users.c.post_count != totals.c.posts,
                users.c.shared_post_count != totals.c.shared_posts,
                users.c.public_post_count != totals.c.public_posts,
                users.c.follower_count != totals.c.followers,
                users.c.following_count != totals.c.following,
            )
        )
        # Recounting is not an edit of the profile: keep updated_at as it was.
        .values(
            post_count=totals.c.posts,
            shared_post_count=totals.c.shared_posts,
            public_post_count=totals.c.public_posts,
            follower_count=totals.c.followers,
            following_count=totals.c.following,
            updated_at=users.c.updated_at,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def recount_posts() -> int:
    """posts.like_count and comment_count; returns the rows changed."""
    liker, commenter = aliased(User), aliased(User)
    facts = union_all(
        select(Like.post_id.label("post_id"), _counts(liker).label("l"), literal(0).label("c"))
        .join(liker, liker.id == Like.user_id),
        select(Comment.post_id, literal(0), _counts(commenter))
        .join(commenter, commenter.id == Comment.author_id),
    ).subquery()  # fmt: skip
    totals = (
        select(
            facts.c.post_id,
            func.sum(facts.c.l).label("likes"),
            func.sum(facts.c.c).label("comments"),
        )
        .group_by(facts.c.post_id)
        .subquery()
    )
    posts = Base.metadata.tables[Post.__tablename__]
    result = db.session.execute(
        update(posts)
        .where(posts.c.id == totals.c.post_id)
        .where(
            or_(posts.c.like_count != totals.c.likes, posts.c.comment_count != totals.c.comments)
        )
        .values(like_count=totals.c.likes, comment_count=totals.c.comments)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
