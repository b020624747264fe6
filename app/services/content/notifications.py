"""Notifications: written when something happens to you, filtered again when read.

Nothing is written for your own actions or between accounts that block each
other. Reading applies the visibility rule once more, so a notification about a
post you can no longer see (you unfollowed a private account) is not shown. The
moderators' notices (your post or comment was removed, and why) have no actor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import cast

from flask import current_app
from redis import RedisError
from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.core.database import after_commit, after_rollback
from app.core.redis import is_outage
from app.extensions import db, redis_client
from app.models import Audience, Notification, NotificationKind, Post, User, utcnow
from app.models.notification import MAX_EXCERPT
from app.services.content import access, text
from app.services.sql import Page, page_from

log = logging.getLogger(__name__)

# The unread badge is on every signed-in page. Its count, kept in Redis for this long, is
# dropped whenever one of the person's notifications is added, taken back or read; other
# changes (someone blocked, a post made followers-only) show within this time.
UNREAD_CACHE_SECONDS = 60


def notify(
    recipient_id: int,
    actor: User,
    kind: NotificationKind,
    *,
    post_id: int | None = None,
    comment_id: int | None = None,
) -> None:
    if recipient_id == actor.id or access.blocked_between(recipient_id, actor.id):
        return
    db.session.add(
        Notification(
            recipient_id=recipient_id,
            actor_id=actor.id,
            kind=kind,
            post_id=post_id,
            comment_id=comment_id,
        )
    )
    _unread_changed(recipient_id)


def from_moderators(recipient_id: int, kind: NotificationKind, reason: str, excerpt: str) -> None:
    """Tell someone the moderators removed their post or comment (``MODERATED`` kinds), with
    the reason and the start of what was removed; no moderator is named."""
    db.session.add(
        Notification(
            recipient_id=recipient_id,
            actor_id=None,
            kind=kind,
            reason=reason,
            excerpt=text.excerpt(excerpt, MAX_EXCERPT),
        )
    )
    _unread_changed(recipient_id)


def withdraw(
    recipient_id: int, actor_id: int, kind: NotificationKind, *, post_id: int | None = None
) -> None:
    """An unlike or an unfollow takes its notification back."""
    query = delete(Notification).where(
        Notification.recipient_id == recipient_id,
        Notification.actor_id == actor_id,
        Notification.kind == kind,
    )
    if post_id is not None:
        query = query.where(Notification.post_id == post_id)
    db.session.execute(query)
    _unread_changed(recipient_id)


def mention(
    post: Post,
    author: User,
    actor: User,
    usernames: Iterable[str],
    *,
    comment_id: int | None = None,
) -> None:
    """Notify each account ``actor`` mentioned (in ``author``'s post or a comment on it) that
    allows mentions from ``actor`` and can see the post."""
    names = set(usernames) - {actor.username}
    if not names:
        return
    for user in db.session.scalars(select(User).where(User.username.in_(names))):
        if user.mention_audience == Audience.NOBODY:
            continue
        if user.mention_audience == Audience.FOLLOWING and not access.follows(user.id, actor.id):
            continue
        if access.can_view_post(user, post, author):
            notify(user.id, actor, NotificationKind.MENTION, post_id=post.id, comment_id=comment_id)


def forget_between(first_id: int, second_id: int) -> None:
    """A block removes what either account was told about the other."""
    db.session.execute(
        delete(Notification).where(
            or_(
                (Notification.recipient_id == first_id) & (Notification.actor_id == second_id),
                (Notification.recipient_id == second_id) & (Notification.actor_id == first_id),
            )
        )
    )
    _unread_changed(first_id, second_id)


def _still_visible(viewer_id: int) -> ColumnElement[bool]:
    author = aliased(User)
    post_visible = exists(
        select(Post.id)
        .join(author, author.id == Post.author_id)
        .where(Post.id == Notification.post_id, access.visible_posts(viewer_id, author))
    )
    actor_id = cast("ColumnElement[int]", Notification.actor_id)  # not null in this branch
    from_someone = and_(
        access.not_blocked(viewer_id, actor_id),
        User.account_active,  # the actor, outer-joined as User
    )
    return and_(
        Notification.recipient_id == viewer_id,
        or_(Notification.actor_id.is_(None), from_someone),
        or_(Notification.post_id.is_(None), post_visible),
    )


def recent(viewer: User, before: int | None, limit: int) -> Page[Notification]:
    query = (
        select(Notification)
        .outerjoin(Notification.actor)
        .options(
            contains_eager(Notification.actor),
            joinedload(Notification.post).selectinload(Post.photos),
            joinedload(Notification.post).joinedload(Post.author),
        )
        .where(_still_visible(viewer.id))
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(Notification.id < before)
    rows: Sequence[Notification] = db.session.scalars(query).unique().all()
    return page_from(rows, limit, lambda row: row.id)


def unread_count(viewer_id: int) -> int:
    """Unread notifications the person can still see: from Redis when it has the count."""
    cached = _cache_get(viewer_id)
    if cached is not None:
        return cached
    query = (
        select(func.count())
        .select_from(Notification)
        .outerjoin(User, User.id == Notification.actor_id)
        .where(_still_visible(viewer_id), Notification.read_at.is_(None))
    )
    count = db.session.scalar(query) or 0
    _cache_set(viewer_id, count)
    return count


def mark_seen(viewer: User, shown: Iterable[Notification]) -> None:
    """The notifications page showed these to ``viewer``: those still unread are read now.

    Only the rows shown, by id, so one that arrives while the page is being drawn stays
    unread (and on the badge). Safe to repeat: what is read stays read, and nothing is
    written when nothing shown was unread. The objects keep ``read_at`` as it was, so the
    page being drawn still marks them as new."""
    ids = [item.id for item in shown if item.read_at is None]
    if not ids:
        return
    db.session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == viewer.id,
            Notification.id.in_(ids),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _unread_changed(viewer.id)


def mark_all_read(viewer: User, through: int | None = None) -> None:
    """Everything up to ``through``, the newest notification the page showed (all when
    None): one that arrived after the page was drawn stays unread."""
    query = update(Notification).where(
        Notification.recipient_id == viewer.id, Notification.read_at.is_(None)
    )
    if through is not None:
        query = query.where(Notification.id <= through)
    db.session.execute(query.values(read_at=utcnow()))
    _unread_changed(viewer.id)


def _cache_key(user_id: int) -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:unread:{user_id}"


def _cache_failed(error: RedisError) -> None:
    """Count in the database instead. An outage is the Redis breaker's to log, once."""
    if not is_outage(error):
        log.warning("The unread-count cache refused a command (%s)", error)


def _cache_get(user_id: int) -> int | None:
    client = redis_client.client
    if client is None:
        return None
    try:
        value = client.get(_cache_key(user_id))
    except RedisError as error:
        _cache_failed(error)
        return None
    return int(value) if value is not None else None


def _cache_set(user_id: int, count: int) -> None:
    client = redis_client.client
    if client is not None:
        try:
            client.set(_cache_key(user_id), count, ex=UNREAD_CACHE_SECONDS)
        except RedisError as error:
            _cache_failed(error)


def _unread_changed(*user_ids: int) -> None:
    """Drop the cached counts now, and again once the change is committed, so a page
    rendered in between cannot cache the count from before it; and if it rolls back, as
    the page that made it (the notifications page) may have cached the count after it."""
    _drop_cached(user_ids)
    db.session.info.setdefault("unread_changed", set()).update(user_ids)
    after_commit(_drop_changed_after_commit)
    after_rollback(_drop_changed_after_commit)


def _drop_changed_after_commit() -> None:
    _drop_cached(db.session.info.pop("unread_changed", set()))


def _drop_cached(user_ids: Iterable[int]) -> None:
    client = redis_client.client
    keys = [_cache_key(user_id) for user_id in user_ids]
    if client is not None and keys:
        try:
            client.delete(*keys)
        except RedisError as error:
            _cache_failed(error)  # cached counts expire by themselves
