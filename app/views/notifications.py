"""Notification view-models: one sentence each, with a link and a thumbnail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for

from app.models import Notification, NotificationKind, utcnow
from app.views.filters import relative_label
from app.views.posts import ProfileView, media_url, profile_view

SENTENCES = {
    NotificationKind.LIKE: "liked your post.",
    NotificationKind.COMMENT: "commented on your post.",
    NotificationKind.FOLLOW: "started following you.",
    NotificationKind.FOLLOW_REQUEST: "asked to follow you.",
    NotificationKind.MENTION: "mentioned you.",
    NotificationKind.POST_REMOVED: "The moderators removed your post",
    NotificationKind.COMMENT_REMOVED: "The moderators removed your comment",
}


@dataclass(frozen=True)
class NotificationView:
    id: int
    actor: ProfileView | None  # None: the moderators' notice, which names no one
    sentence: str
    href: str | None
    thumb_url: str | None
    unread: bool
    created_label: str
    excerpt: str = ""  # the moderators' notices: the start of what was removed
    reason: str = ""  # and why


def notification_views(items: Iterable[Notification]) -> list[NotificationView]:
    now = utcnow()
    views = []
    for item in items:
        actor = profile_view(item.actor) if item.actor is not None else None
        href, thumb = _target(item, actor)
        views.append(
            NotificationView(
                id=item.id,
                actor=actor,
                sentence=SENTENCES[item.kind],
                href=href,
                thumb_url=thumb,
                unread=item.read_at is None,
                created_label=relative_label(item.created_at, now),
                excerpt=item.excerpt,
                reason=item.reason,
            )
        )
    return views


def _target(item: Notification, actor: ProfileView | None) -> tuple[str | None, str | None]:
    """Where the notification links to, and the post's thumbnail. A moderators' notice
    (no actor) links nowhere: what it is about is gone."""
    if actor is None:
        return None, None
    if item.post is not None:
        href = url_for("posts.show", post_id=item.post.id)
        if item.comment_id:
            href += f"#comment-{item.comment_id}"
        thumb = media_url(item.post.photos[0].storage_key, "thumb") if item.post.photos else None
        return href, thumb
    if item.kind == NotificationKind.FOLLOW_REQUEST:
        return url_for("social.requests"), None
    return actor.url, None
