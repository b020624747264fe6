"""Who may see what: the one place that decides visibility.

A post is visible to a viewer when neither has blocked the other, and the
viewer is its author, or the post is public on a public account, or the viewer
follows the author and the post is not for its author alone ("Only me"). Every
list (feed, profile grid, explore, hashtag pages, search, notifications) applies
the same rule as an SQL filter, and every single-object page applies it in
Python, so no page can disagree with another.

Each part of the rule is written once. The ones about one row are hybrids on the
models, which give the Python value and the SQL expression from one definition:
``User.account_active`` (not waiting for deletion, not blocked by a moderator now),
``Post.has_public_audience`` and ``Post.reaches_followers``. The ones about other
rows (a block either way, a follow) are one SQL expression each; the single-object
checks run that same expression as a query.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Exists, and_, exists, or_, select, true
from sqlalchemy.orm import QueryableAttribute

from app.extensions import db
from app.models import Block, Follow, Post, User

AccountId: TypeAlias = int | ColumnElement[int] | QueryableAttribute[int]


def _blocked_either_way(first_id: AccountId, second_id: AccountId) -> Exists:
    """SQL: either account has blocked the other."""
    return exists().where(
        or_(
            and_(Block.blocker_id == first_id, Block.blocked_id == second_id),
            and_(Block.blocker_id == second_id, Block.blocked_id == first_id),
        )
    )


def _following(follower_id: AccountId, followee_id: AccountId) -> Exists:
    """SQL: ``follower_id`` follows ``followee_id`` (an approved follow)."""
    return exists().where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)


def following(follower_id: AccountId, followee_id: AccountId) -> Exists:
    """SQL: ``follower_id`` follows ``followee_id`` (for lists that need the follow itself)."""
    return _following(follower_id, followee_id)


def blocked_between(first_id: int, second_id: int) -> bool:
    """Whether either account has blocked the other."""
    return bool(db.session.scalar(select(_blocked_either_way(first_id, second_id))))


def follows(follower_id: int, followee_id: int) -> bool:
    return bool(db.session.scalar(select(_following(follower_id, followee_id))))


def _standing(viewer_id: int, owner_id: int) -> tuple[bool, bool]:
    """(blocked either way, viewer follows owner), in one query."""
    row = db.session.execute(
        select(_blocked_either_way(viewer_id, owner_id), _following(viewer_id, owner_id))
    ).one()
    return bool(row[0]), bool(row[1])


def can_see_account(viewer: User | None, owner: User) -> bool:
    """The profile page exists for this viewer (blocks make accounts vanish both ways)."""
    return viewer is None or viewer.id == owner.id or not blocked_between(viewer.id, owner.id)


def can_see_content_of(viewer: User | None, owner: User) -> bool:
    """Followers-only content of ``owner``: their own, and their approved followers'
    (only-me posts are the post rule's business: ``visible_posts``)."""
    if viewer is None:
        return False
    return viewer.id == owner.id or follows(viewer.id, owner.id)


def can_view_post(viewer: User | None, post: Post, author: User) -> bool:
    """The Python side of ``visible_posts``, for one post."""
    if not author.account_active:
        return False
    if viewer is None:
        return post.has_public_audience(author)
    if viewer.id == author.id:
        return True
    blocked, following = _standing(viewer.id, author.id)
    return not blocked and (
        (following and post.reaches_followers) or post.has_public_audience(author)
    )


def not_blocked(
    viewer_id: int | None, author_id: ColumnElement[int] | QueryableAttribute[int]
) -> ColumnElement[bool]:
    """SQL: no block in either direction between the viewer and ``author_id``."""
    if viewer_id is None:
        return true()
    return ~_blocked_either_way(viewer_id, author_id)


def visible_posts(viewer_id: int | None, author: Any = User) -> ColumnElement[bool]:
    """SQL filter for a query over ``Post`` joined to its author (``User``, or ``author``)."""
    public = Post.has_public_audience(author)
    if viewer_id is None:
        return and_(author.account_active, public)
    return and_(
        author.account_active,
        not_blocked(viewer_id, Post.author_id),
        or_(
            Post.author_id == viewer_id,
            public,
            and_(Post.reaches_followers, _following(viewer_id, Post.author_id)),
        ),
    )


def follow_lists_visible(viewer: User | None, owner: User) -> bool:
    """Whether the viewer may see who ``owner`` follows and is followed by: the owner
    always; nobody else when the owner hides them; otherwise whoever may see the posts."""
    if viewer is not None and viewer.id == owner.id:
        return True
    if owner.hide_follow_lists:
        return False
    return not owner.is_private or can_see_content_of(viewer, owner)
