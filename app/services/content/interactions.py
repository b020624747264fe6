"""Likes, comments, bookmarks and reports on posts the actor can see.

Callers pass a post already checked with ``posts.visible``; these functions add
the rules of the interaction itself (comments turned off, who may comment).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, delete, literal, select, tuple_, union_all
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import (
    MAX_COMMENT,
    MAX_REPORT_DETAILS,
    Audience,
    Comment,
    Follow,
    Like,
    NotificationKind,
    Post,
    Report,
    ReportReason,
    SavedPost,
    User,
)
from app.services.content import access, counters, notifications, text
from app.services.errors import FormError
from app.services.sql import (
    Page,
    adjust_counters,
    delete_returning,
    insert_ignoring_duplicates,
    page_from,
)

Toggle = Callable[[User, Post], None]


@dataclass(frozen=True)
class ViewerState:
    """What the viewer has done to a page of posts, and which of their authors the viewer
    follows (for "who may comment"), fetched in one query for the whole page."""

    liked: frozenset[int] = field(default_factory=frozenset)
    saved: frozenset[int] = field(default_factory=frozenset)
    following: frozenset[int] = field(default_factory=frozenset)  # author ids


def viewer_state(viewer: User | None, posts: Iterable[Post]) -> ViewerState:
    shown = list(posts)
    if viewer is None or not shown:
        return ViewerState()
    ids = [post.id for post in shown]
    authors = {post.author_id for post in shown} - {viewer.id}
    liked = select(literal("like").label("kind"), Like.post_id.label("id")).where(
        Like.user_id == viewer.id, Like.post_id.in_(ids)
    )
    saved = select(literal("save").label("kind"), SavedPost.post_id).where(
        SavedPost.user_id == viewer.id, SavedPost.post_id.in_(ids)
    )
    followed = select(literal("follow").label("kind"), Follow.followee_id).where(
        Follow.follower_id == viewer.id, Follow.followee_id.in_(authors)
    )
    rows = db.session.execute(union_all(liked, saved, followed)).all()
    found: dict[str, set[int]] = {"like": set(), "save": set(), "follow": set()}
    for kind, row_id in rows:
        found[kind].add(row_id)
    return ViewerState(
        frozenset(found["like"]), frozenset(found["save"]), frozenset(found["follow"])
    )


def like(actor: User, post: Post) -> None:
    if insert_ignoring_duplicates(Like, user_id=actor.id, post_id=post.id):
        if counters.counts(actor.id):  # a hidden account's like is not counted (counters.py)
            adjust_counters(Post, post.id, like_count=1)
        notifications.notify(post.author_id, actor, NotificationKind.LIKE, post_id=post.id)


def unlike(actor: User, post: Post) -> None:
    result = db.session.execute(
        delete(Like).where(Like.user_id == actor.id, Like.post_id == post.id)
    )
    if getattr(result, "rowcount", 0):
        if counters.counts(actor.id):
            adjust_counters(Post, post.id, like_count=-1)
        notifications.withdraw(post.author_id, actor.id, NotificationKind.LIKE, post_id=post.id)


def save(actor: User, post: Post) -> None:
    insert_ignoring_duplicates(SavedPost, user_id=actor.id, post_id=post.id)


def unsave(actor: User, post: Post) -> None:
    db.session.execute(
        delete(SavedPost).where(SavedPost.user_id == actor.id, SavedPost.post_id == post.id)
    )


def may_comment(actor: User | None, post: Post, state: ViewerState | None = None) -> bool:
    """Comments on, and the author's "who may comment" setting lets the actor in.

    A page that has the actor's ``viewer_state`` for the post passes it and saves a query.
    """
    if actor is None or not post.comments_enabled:
        return False
    if actor.id == post.author_id:
        return True
    audience = post.author.comment_audience
    if audience == Audience.NOBODY:
        return False
    if audience != Audience.FOLLOWERS:
        return True
    if state is not None:
        return post.author_id in state.following
    return access.follows(actor.id, post.author_id)


def add_comment(actor: User, post: Post, body: str) -> Comment:
    if not may_comment(actor, post):
        raise FormError("Comments are turned off for this post.", "body")
    body = text.clean(body)
    if not body:
        raise FormError("Write something first.", "body")
    if len(body) > MAX_COMMENT:
        raise FormError(f"Keep comments under {MAX_COMMENT:,} characters.", "body")
    comment = Comment(post_id=post.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    if counters.counts(actor.id):
        adjust_counters(Post, post.id, comment_count=1)
    notifications.notify(
        post.author_id, actor, NotificationKind.COMMENT, post_id=post.id, comment_id=comment.id
    )
    notifications.mention(post, post.author, actor, text.mentions(body), comment_id=comment.id)
    return comment


def delete_comment(actor: User, post: Post, comment: Comment) -> None:
    """The comment's author or the post's owner may delete it."""
    if comment.post_id != post.id:
        raise LookupError("No such comment.")
    if actor.id not in (comment.author_id, post.author_id) and not actor.is_admin:
        raise PermissionError("Only its author or the post's owner can delete a comment.")
    author_id = comment.author_id
    # A hidden author's comment (a moderator removing it) was taken out of the count already.
    if delete_returning(Comment, Comment.id == comment.id) and counters.counts(author_id):
        adjust_counters(Post, post.id, comment_count=-1)


def comment_in(post: Post, comment_id: int) -> Comment | None:
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and comment.post_id == post.id else None


def comments(viewer: User | None, post: Post, after: int | None, limit: int) -> Page[Comment]:
    """Oldest first, as a conversation reads; comments by blocked accounts are left out."""
    query = (
        select(Comment)
        .join(Comment.author)
        .options(contains_eager(Comment.author))
        .where(
            Comment.post_id == post.id,
            access.not_blocked(viewer.id if viewer else None, Comment.author_id),
            User.account_active,
        )
        .order_by(Comment.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(Comment.id > after)
    rows: Sequence[Comment] = db.session.scalars(query).all()
    return page_from(rows, limit, lambda row: row.id)


class LikeCursor(NamedTuple):
    """Where a page of likers ends: the last like's time, and its liker to break ties."""

    liked_at: datetime
    user_id: int


@dataclass(frozen=True)
class Likers:
    people: Sequence[User]
    next_cursor: LikeCursor | None


def likers_query(
    viewer: User | None, post_id: int, before: LikeCursor | None, limit: int
) -> Select[User, datetime]:
    """The likers list's one query, built without running it (the plan tests EXPLAIN it)."""
    query = (
        select(User, Like.created_at)
        .join(Like, Like.user_id == User.id)
        .where(
            Like.post_id == post_id,
            User.account_active,
            access.not_blocked(viewer.id if viewer else None, User.id),
        )
        .order_by(Like.created_at.desc(), Like.user_id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(tuple_(Like.created_at, Like.user_id) < tuple(before))
    return query


def likers(viewer: User | None, post: Post, before: LikeCursor | None, limit: int) -> Likers:
    """Who liked the post, newest like first, by keyset on (time, liker).

    The caller checked that the viewer may see the post. Accounts blocked either way with
    the viewer, and hidden ones (waiting for deletion, blocked by a moderator), are left
    out, as from every other list. One query, reading ``ix_likes_post_id_created_at_user_id``
    backward from the cursor.
    """
    rows = db.session.execute(likers_query(viewer, post.id, before, limit)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = LikeCursor(rows[-1][1], rows[-1][0].id) if more else None
    return Likers([user for user, _ in rows], cursor)


def report(
    reporter: User,
    reason: ReportReason,
    details: str,
    *,
    user: User | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
) -> Report:
    details = text.clean(details)
    if len(details) > MAX_REPORT_DETAILS:
        raise FormError(f"Keep the details under {MAX_REPORT_DETAILS:,} characters.", "details")
    reported = (
        user.id if user else post.author_id if post else comment.author_id if comment else None
    )
    entry = Report(
        reporter_id=reporter.id,
        reported_user_id=reported,
        post_id=post.id if post else comment.post_id if comment else None,
        comment_id=comment.id if comment else None,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
