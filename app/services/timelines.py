"""Lists of posts and people, newest first, by keyset on the id.

Each list is one query for the posts with their authors, plus one for their
photos, whatever the page size. The visibility rule from ``access`` is part
of every query, so a list never shows what the post page would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.extensions import db
from app.models import Follow, Hashtag, Mute, Post, PostHashtag, SavedPost, User, Visibility
from app.services import access, text
from app.services.sql import Page, like_prefix, page_from


def _posts(viewer: User | None) -> Select[Post]:
    return (
        select(Post)
        .join(Post.author)
        .options(contains_eager(Post.author), selectinload(Post.photos))
        .where(access.visible_posts(viewer.id if viewer else None))
    )


def _page(query: Select[Post], before: int | None, limit: int) -> Page[Post]:
    if before is not None:
        query = query.where(Post.id < before)
    rows: Sequence[Post] = db.session.scalars(query.order_by(Post.id.desc()).limit(limit + 1)).all()
    return page_from(rows, limit, lambda post: post.id)


def home(viewer: User, before: int | None, limit: int) -> Page[Post]:
    """Your own posts and those of the accounts you follow, without the ones you muted."""
    followed = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    muted = select(Mute.muted_id).where(Mute.muter_id == viewer.id)
    query = _posts(viewer).where(
        or_(Post.author_id == viewer.id, Post.author_id.in_(followed)),
        Post.author_id.not_in(muted),
    )
    return _page(query, before, limit)


def profile(viewer: User | None, owner: User, before: int | None, limit: int) -> Page[Post]:
    return _page(_posts(viewer).where(Post.author_id == owner.id), before, limit)


def explore(viewer: User | None, before: int | None, limit: int) -> Page[Post]:
    """Recent public posts of public accounts."""
    query = _posts(viewer).where(Post.visibility == Visibility.PUBLIC, User.is_private == false())
    return _page(query, before, limit)


def hashtag(viewer: User | None, tag: str, before: int | None, limit: int) -> Page[Post]:
    tag_id = db.session.scalar(select(Hashtag.id).where(Hashtag.name == text.tag_key(tag)))
    if tag_id is None:
        return Page([], None)
    query = _posts(viewer).join(PostHashtag, PostHashtag.post_id == Post.id)
    return _page(query.where(PostHashtag.hashtag_id == tag_id), before, limit)


def saved(viewer: User, before: int | None, limit: int) -> Page[Post]:
    """The viewer's bookmarks that they can still see."""
    query = _posts(viewer).join(SavedPost, SavedPost.post_id == Post.id)
    return _page(query.where(SavedPost.user_id == viewer.id), before, limit)


def search_users(viewer: User | None, query_text: str, limit: int = 20) -> Sequence[User]:
    """Accounts whose username or display name starts with the query, shortest names first."""
    term = text.clean(query_text, multiline=False).lstrip("@").casefold()[:50]
    if not term:
        return []
    pattern = like_prefix(term)
    query = (
        select(User)
        .where(
            or_(
                User.username.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            ),
            User.email_verified_at.is_not(None),
            access.account_active(),
            access.not_blocked(viewer.id if viewer else None, User.id),
        )
        .order_by(func.length(User.username), User.username)
        .limit(limit)
    )
    return db.session.scalars(query).all()


def _people(query: Select[User], before: int | None, limit: int) -> Page[User]:
    if before is not None:
        query = query.where(User.id < before)
    rows: Sequence[User] = db.session.scalars(query.order_by(User.id.desc()).limit(limit + 1)).all()
    return page_from(rows, limit, lambda user: user.id)


def followers(viewer: User | None, owner: User, before: int | None, limit: int) -> Page[User]:
    return _people(
        _follow_list(viewer, Follow.follower_id, Follow.followee_id, owner), before, limit
    )


def following(viewer: User | None, owner: User, before: int | None, limit: int) -> Page[User]:
    return _people(
        _follow_list(viewer, Follow.followee_id, Follow.follower_id, owner), before, limit
    )


def _follow_list(viewer: User | None, listed: Any, anchor: Any, owner: User) -> Select[User]:
    """The accounts at one end of ``owner``'s follows, less those blocked either way."""
    return (
        select(User)
        .join(Follow, listed == User.id)
        .where(anchor == owner.id)
        .where(access.account_active(), access.not_blocked(viewer.id if viewer else None, User.id))
    )
