"""Who may see what: the one place that decides visibility.

A post is visible to a viewer when neither has blocked the other, and the
viewer is its author, or the post is public on a public account, or the viewer
follows the author. Every list (feed, profile grid, explore, hashtag pages,
search, notifications) applies the same rule as an SQL filter, and every
single-object page applies it in Python, so no page can disagree with another.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import QueryableAttribute

from app.extensions import db
from app.models import Block, Follow, Post, User, Visibility


def blocked_between(first_id: int, second_id: int) -> bool:
    """Whether either account has blocked the other."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    or_(
                        and_(Block.blocker_id == first_id, Block.blocked_id == second_id),
                        and_(Block.blocker_id == second_id, Block.blocked_id == first_id),
                    )
                )
            )
        )
    )


def follows(follower_id: int, followee_id: int) -> bool:
    return (
        db.session.get(Follow, {"follower_id": follower_id, "followee_id": followee_id}) is not None
    )


def has_public_audience(post: Post, author: User) -> bool:
    """Whether anyone at all may see the post, so its media can be served without a check."""
    return post.visibility == Visibility.PUBLIC and not author.is_private


def _standing(viewer_id: int, owner_id: int) -> tuple[bool, bool]:
    """(blocked either way, viewer follows owner), in one query."""
    row = db.session.execute(
        select(
            exists().where(
                or_(
                    and_(Block.blocker_id == viewer_id, Block.blocked_id == owner_id),
                    and_(Block.blocker_id == owner_id, Block.blocked_id == viewer_id),
                )
            ),
            exists().where(Follow.follower_id == viewer_id, Follow.followee_id == owner_id),
        )
    ).one()
    return bool(row[0]), bool(row[1])


def can_see_account(viewer: User | None, owner: User) -> bool:
    """The profile page exists for this viewer (blocks make accounts vanish both ways)."""
    return viewer is None or viewer.id == owner.id or not blocked_between(viewer.id, owner.id)


def can_see_content_of(viewer: User | None, owner: User) -> bool:
    """Followers-only content of ``owner``: their own, and their approved followers'."""
    if viewer is None:
        return False
    return viewer.id == owner.id or follows(viewer.id, owner.id)


def can_view_post(viewer: User | None, post: Post, author: User) -> bool:
    if not author.account_active:
        return False
    if viewer is None:
        return has_public_audience(post, author)
    if viewer.id == author.id:
        return True
    blocked, following = _standing(viewer.id, author.id)
    return not blocked and (following or has_public_audience(post, author))


def not_blocked(
    viewer_id: int | None, author_id: ColumnElement[int] | QueryableAttribute[int]
) -> ColumnElement[bool]:
    """SQL: no block in either direction between the viewer and ``author_id``."""
    if viewer_id is None:
        return true()
    return ~exists().where(
        or_(
            and_(Block.blocker_id == viewer_id, Block.blocked_id == author_id),
            and_(Block.blocker_id == author_id, Block.blocked_id == viewer_id),
        )
    )


def visible_posts(viewer_id: int | None, author: Any = User) -> ColumnElement[bool]:
    """SQL filter for a query over ``Post`` joined to its author (``User``, or ``author``)."""
    public = and_(Post.visibility == Visibility.PUBLIC, author.is_private == false())
    if viewer_id is None:
        return and_(author.account_active, public)
    followed = exists().where(Follow.follower_id == viewer_id, Follow.followee_id == Post.author_id)
    return and_(
        author.account_active,
        not_blocked(viewer_id, Post.author_id),
        or_(Post.author_id == viewer_id, public, followed),
    )
