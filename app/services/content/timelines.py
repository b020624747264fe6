"""Lists of posts and people, newest first, by keyset on the id.

Each list is one query for the posts with their authors, plus one for their
photos, whatever the page size. The visibility rule from ``access`` is part
of every query, so a list never shows what the post page would refuse. The
``*_query`` functions build the first query without running it, so tests can
read its plan (EXPLAIN).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Follow, Hashtag, Mute, Photo, Post, PostHashtag, SavedPost, User
from app.services.content import access, home_timelines, text
from app.services.sql import Page, is_postgresql, like_prefix, page_from


def _posts(viewer: User | None, *, photos: bool = True) -> Select[Post]:
    query = select(Post).join(Post.author).options(contains_eager(Post.author))
    if photos:
        query = query.options(selectinload(Post.photos))
    return query.where(access.visible_posts(viewer.id if viewer else None))


def load_photos(posts: Sequence[Post]) -> None:
    """The photos of those of ``posts`` that came without them, in one query: the feed
    reads a page without photos and asks here only for the cards not cached."""
    waiting = {post.id: post for post in posts if "photos" in inspect(post).unloaded}
    if not waiting:
        return
    found: dict[int, list[Photo]] = {post_id: [] for post_id in waiting}
    query = select(Photo).where(Photo.post_id.in_(waiting)).order_by(Photo.position)
    for photo in db.session.scalars(query):
        found[photo.post_id].append(photo)
    for post_id, photos in found.items():
        set_committed_value(waiting[post_id], "photos", photos)


def _newest(
    query: Select[Any], before: int | None, limit: int, *, after: int | None = None
) -> Select[Any]:
    """Newest first from the cursor on, one row more than the page to tell if there is more.

    With ``after`` (an API client's ``min_id``): the oldest first from just above it, so
    a client catching up reads the posts right after the one it has, not the newest.
    """
    if before is not None:
        query = query.where(Post.id < before)
    if after is not None:
        return query.where(Post.id > after).order_by(Post.id.asc()).limit(limit + 1)
    return query.order_by(Post.id.desc()).limit(limit + 1)


def _page(query: Select[Post], limit: int) -> Page[Post]:
    rows: Sequence[Post] = db.session.scalars(query).all()
    return page_from(rows, limit, lambda post: post.id)


def _feed_authors(viewer: User, *, active_only: bool = True) -> Subquery:
    """The viewer and the accounts they follow, less muted, blocked and inactive ones.

    A follower sees all of an account's posts or none of them (``access.visible_posts``),
    but for its only-me ones (``_newest_of`` leaves those out), so the feed can choose its
    authors first and then read only their newest posts.
    ``active_only=False`` keeps hidden accounts (a timeline in Redis outlives their
    hiding, and the read's re-check leaves their posts out while they are hidden).
    """
    followed = select(Follow.followee_id.label("id")).where(
        Follow.follower_id == viewer.id, Follow.followee_id != viewer.id
    )
    yourself = select(literal(viewer.id, Integer).label("id"))
    sources = union_all(yourself, followed).subquery("sources")
    muted = select(Mute.muted_id).where(Mute.muter_id == viewer.id)
    return (
        select(User.id)
        .join(sources, sources.c.id == User.id)
        .where(
            User.account_active if active_only else true(),
            access.not_blocked(viewer.id, User.id),
            User.id.not_in(muted),
        )
        .subquery("authors")
    )


def _newest_of(
    viewer: User, authors: Subquery, before: int | None, limit: int, *, after: int | None = None
) -> Select[int]:
    """The ids of the newest posts of ``authors`` the viewer's feed may hold: all of their
    own, and of the others all but their only-me posts (else those could fill the page).

    On PostgreSQL, a page's worth from each author (a short backward read of
    ``ix_posts_author_id_id`` per author, LATERAL), and the newest of those: the work
    grows with the accounts followed, never with the posts table, however few posts
    they have. SQLite has no LATERAL and reads posts newest first instead. With ``after``,
    the oldest above it (forward reads), as ``_newest``.
    """
    if not is_postgresql():
        shared = or_(Post.author_id == viewer.id, Post.reaches_followers)
        mine = select(Post.id).where(Post.author_id.in_(select(authors.c.id)), shared)
        return _newest(mine, before, limit, after=after)
    # Said of the author's row (one value per LATERAL run), so the index read stays a
    # backward scan with a filter.
    shared = or_(authors.c.id == viewer.id, Post.reaches_followers)
    own = _newest(
        select(Post.id).where(Post.author_id == authors.c.id, shared), before, limit, after=after
    )
    each = own.lateral("each_author")
    return (
        select(each.c.id)
        .select_from(authors)
        .join(each, true())
        .order_by(each.c.id.asc() if after is not None else each.c.id.desc())
        .limit(limit + 1)
    )


def home_query(
    viewer: User, before: int | None, limit: int, *, after: int | None = None
) -> Select[Post]:
    """Your own posts and those of the accounts you follow, without the ones you muted."""
    ids = _newest_of(viewer, _feed_authors(viewer), before, limit, after=after)
    newest = ids.subquery("newest")
    order = Post.id.asc() if after is not None else Post.id.desc()
    return _posts(viewer).join(newest, newest.c.id == Post.id).order_by(order)


def _in_feed(viewer: User) -> ColumnElement[bool]:
    """SQL, per post: its author is one whose posts are in the viewer's feed (themselves or
    an account they follow, not muted); the rest of the rule is ``access.visible_posts``."""
    muted = exists().where(Mute.muter_id == viewer.id, Mute.muted_id == Post.author_id)
    return and_(
        or_(Post.author_id == viewer.id, access.following(viewer.id, Post.author_id)), ~muted
    )


def home_recheck_query(viewer: User, ids: Sequence[int], limit: int) -> Select[Post]:
    """The posts of ``ids`` (from a timeline in Redis) that the feed may show now: by
    primary key, under the same rules as ``home_query``, newest first."""
    query = _posts(viewer, photos=False).where(Post.id.in_(ids), _in_feed(viewer))
    return query.order_by(Post.id.desc()).limit(limit + 1)


def _built_window(viewer: User, before: int | None, count: int) -> home_timelines.Lookup:
    """Build the viewer's timeline from SQL, keep it in Redis, and read it."""
    size = home_timelines.size()
    found = list(
        db.session.scalars(_newest_of(viewer, _feed_authors(viewer, active_only=False), None, size))
    )
    complete = len(found) <= size
    if not home_timelines.store(viewer.id, found[:size], complete=complete):
        return "down"
    ids = [post_id for post_id in found[:size] if before is None or post_id < before][:count]
    return home_timelines.Window(ids, exhausted=len(ids) < count and complete)


# A page read from a timeline takes this many candidates per post shown, so the ids that
# fail the re-check (a deleted post, an author hidden since) rarely leave it short.
CANDIDATES_PER_POST = 2


def home(viewer: User, before: int | None, limit: int) -> Page[Post]:
    """The home feed: from the viewer's timeline in Redis, re-checked in one query; from
    SQL alone when Redis is down, or when the timeline cannot fill the page. Posts read
    from a timeline come without their photos (``load_photos``: cached cards need none)."""
    count = CANDIDATES_PER_POST * (limit + 1)
    lookup = home_timelines.window(viewer.id, before, count)
    if lookup == "missing":
        lookup = _built_window(viewer, before, count)
    if isinstance(lookup, home_timelines.Window):
        rows: Sequence[Post] = (
            db.session.scalars(home_recheck_query(viewer, lookup.ids, limit)).all()
            if lookup.ids
            else []
        )
        if len(rows) > limit or lookup.exhausted:
            return page_from(rows, limit, lambda post: post.id)
    return _page(home_query(viewer, before, limit), limit)


def profile_query(
    viewer: User | None, owner: User, before: int | None, limit: int, *, after: int | None = None
) -> Select[Post]:
    return _newest(_posts(viewer).where(Post.author_id == owner.id), before, limit, after=after)


def profile(viewer: User | None, owner: User, before: int | None, limit: int) -> Page[Post]:
    return _page(profile_query(viewer, owner, before, limit), limit)


def _just_after(query: Select[Post], limit: int) -> Sequence[Post]:
    """The ``limit`` posts read oldest first from a cursor, shown newest first."""
    return list(reversed(db.session.scalars(query).all()[:limit]))


def home_after(viewer: User, after: int, before: int | None, limit: int) -> Sequence[Post]:
    """The home feed's ``limit`` posts just newer than ``after`` (older than ``before``),
    newest first: an app's ``min_id``. From SQL: the timeline in Redis is read newest
    first only, and catching up is rare next to scrolling."""
    return _just_after(home_query(viewer, before, limit, after=after), limit)


def profile_after(
    viewer: User | None, owner: User, after: int, before: int | None, limit: int
) -> Sequence[Post]:
    """As ``home_after``, for ``owner``'s posts."""
    return _just_after(profile_query(viewer, owner, before, limit, after=after), limit)


def explore_query(viewer: User | None, before: int | None, limit: int) -> Select[Post]:
    """Recent public posts of public accounts."""
    query = _posts(viewer).where(Post.has_public_audience(User))
    return _newest(query, before, limit)


def explore(viewer: User | None, before: int | None, limit: int) -> Page[Post]:
    return _page(explore_query(viewer, before, limit), limit)


def hashtag_id(tag: str) -> int | None:
    return db.session.scalar(select(Hashtag.id).where(Hashtag.name == text.tag_key(tag)))


def hashtag_query(viewer: User | None, tag_id: int, before: int | None, limit: int) -> Select[Post]:
    query = _posts(viewer).join(PostHashtag, PostHashtag.post_id == Post.id)
    return _newest(query.where(PostHashtag.hashtag_id == tag_id), before, limit)


def hashtag(viewer: User | None, tag: str, before: int | None, limit: int) -> Page[Post]:
    tag_id = hashtag_id(tag)
    if tag_id is None:
        return Page([], None)
    return _page(hashtag_query(viewer, tag_id, before, limit), limit)


def saved(viewer: User, before: int | None, limit: int) -> Page[Post]:
    """The viewer's bookmarks that they can still see."""
    query = _posts(viewer).join(SavedPost, SavedPost.post_id == Post.id)
    return _page(_newest(query.where(SavedPost.user_id == viewer.id), before, limit), limit)


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
            User.account_active,
            access.not_blocked(viewer.id if viewer else None, User.id),
        )
        .order_by(func.length(User.username), User.username)
        .limit(limit)
    )
    return db.session.scalars(query).all()


# A tag is shown in search when one of its newest posts is visible to the viewer: the
# search reads at most this many candidate tags, and this many posts of each, so its work
# is bounded whatever the tags' sizes (a tag seen only on older posts is still at its page).
TAG_CANDIDATES = 50
TAG_POSTS_CHECKED = 100
_TAG_TERM = re.compile(r"\w+")


def search_hashtags_query(viewer: User | None, term: str, limit: int) -> Select[str]:
    """The tag search's one query for a stored-form ``term``, built without running it."""
    candidates = (
        select(Hashtag.id, Hashtag.name)
        .where(Hashtag.name.like(like_prefix(term), escape="\\"))
        .order_by(Hashtag.name)
        .limit(TAG_CANDIDATES)
        .subquery("candidates")
    )
    # A derived table (not IN): its LIMIT keeps the planner from turning the check into one
    # join over every visible post; each candidate reads its own newest posts instead.
    newest = (
        select(PostHashtag.post_id)
        .where(PostHashtag.hashtag_id == candidates.c.id)
        .order_by(PostHashtag.post_id.desc())
        .limit(TAG_POSTS_CHECKED)
        .correlate(candidates)
        .subquery("newest")
    )
    seen = (
        select(Post.id)
        .join(newest, newest.c.post_id == Post.id)
        .join(Post.author)
        .where(access.visible_posts(viewer.id if viewer else None))
        .correlate(candidates)
        .exists()
    )
    return select(candidates.c.name).where(seen).order_by(candidates.c.name).limit(limit)


def search_hashtags(viewer: User | None, query_text: str, limit: int = 10) -> Sequence[str]:
    """Names of the tags that start with the query (``#`` optional), in the index's order,
    so an exact match comes first; only tags on a post the viewer may see, so no tag leads
    to an empty page or tells of followers-only posts."""
    term = text.tag_key(text.clean(query_text, multiline=False).lstrip("#"))
    if not _TAG_TERM.fullmatch(term) or len(term) > text.MAX_TAG:
        return []
    return db.session.scalars(search_hashtags_query(viewer, term, limit)).all()


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
        .where(User.account_active, access.not_blocked(viewer.id if viewer else None, User.id))
    )
