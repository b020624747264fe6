"""The lists of a data export: each a reader of the person's rows, a chunk at a time.

Every list is read by keyset in chunks of ``CHUNK`` rows, and each chunk is followed by
the caller's ``end_read`` (the worker ends its read transaction there: no snapshot, and
on SQLite no write lock, is kept while the archive is written). A list yields one dict
per row, written to the archive as one line of a JSON array.

Other people are named by username only while the person can still see them, as on
the site; secrets (hashes, keys, tokens) are never read at all. Which column of which
table each list covers, and what is left out and why, is in ``export_coverage``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import (
    Block,
    Comment,
    DataImport,
    Follow,
    FollowRequest,
    KnownDevice,
    Like,
    MediaKind,
    ModerationAction,
    ModerationKind,
    Mute,
    Notification,
    OAuthApp,
    OAuthToken,
    Passkey,
    Photo,
    Post,
    RecoveryCode,
    Report,
    SavedPost,
    SecurityEvent,
    TotpFactor,
    TrustedBrowser,
    User,
    UsernameHold,
    UserSession,
    Visibility,
)
from app.models.notification import MODERATED
from app.models.security_event import shown_detail
from app.services.content import access

CHUNK = 500

Rows = Iterator[dict[str, Any]]
K = TypeVar("K")
Ts = TypeVarTuple("Ts")
PostRow = Row[int, datetime, datetime | None, str, Visibility, bool, bool, str]
PhotoRow = Row[int, int, int, str, str, int, int, datetime, MediaKind, int | None]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Reads:
    """The archive's reads, each page followed by the caller's ``end_read``."""

    end_read: Callable[[], None]

    def chunks(
        self, query: Select[K, *Ts], key: InstrumentedAttribute[K]
    ) -> Iterator[Sequence[Row[K, *Ts]]]:
        """Keyset pages of ``query`` by ``key``, which must be its first column."""
        last = None
        while True:
            page = query if last is None else query.where(key > last)
            rows = db.session.execute(page.order_by(key).limit(CHUNK)).all()
            self.end_read()
            if rows:
                yield rows
            if len(rows) < CHUNK:
                return
            last = rows[-1][0]

    def rows(self, query: Select[K, *Ts], key: InstrumentedAttribute[K]) -> Iterator[Row[K, *Ts]]:
        for chunk in self.chunks(query, key):
            yield from chunk

    def post_chunks(self, user_id: int) -> Iterator[Sequence[PostRow]]:
        query = select(
            Post.id, Post.created_at, Post.edited_at, Post.caption, Post.visibility,
            Post.comments_enabled, Post.sensitive, Post.content_warning,
        ).where(Post.author_id == user_id)  # fmt: skip
        return self.chunks(query, Post.id)

    def photos_of(self, post_ids: list[int]) -> Sequence[PhotoRow]:
        query = select(
            Photo.post_id, Photo.id, Photo.position, Photo.storage_key, Photo.alt_text,
            Photo.width, Photo.height, Photo.created_at, Photo.kind, Photo.duration_ms,
        ).where(Photo.post_id.in_(post_ids))  # fmt: skip
        rows = db.session.execute(query.order_by(Photo.post_id, Photo.position)).all()
        self.end_read()
        return rows


def _seen(user_id: int, other: Any) -> ColumnElement[Any]:
    """``other``'s username while the person may still see that account, else null."""
    return case(
        (and_(User.account_active, access.not_blocked(user_id, other)), User.username),
        else_=None,
    )


def _post_author(user_id: int) -> ColumnElement[Any]:
    """The author of a post the person may still see, else null."""
    return case((access.visible_posts(user_id), User.username), else_=None)


# Content and people.


def comments(reads: Reads, user_id: int) -> Rows:
    """Your comments; the post's author is named only while you can still see the post."""
    query = (
        select(
            Comment.id, Comment.created_at, Comment.body, Comment.post_id,
            _post_author(user_id).label("author"),
        )
        .join(Post, Post.id == Comment.post_id)
        .join(User, User.id == Post.author_id)
        .where(Comment.author_id == user_id)
    )  # fmt: skip
    for row in reads.rows(query, Comment.id):
        yield {
            "id": row.id,
            "created_at": iso(row.created_at),
            "text": row.body,
            "post_id": row.post_id,
            "post_author": row.author,
        }


def likes(reads: Reads, user_id: int) -> Rows:
    query = select(Like.post_id, Like.created_at).where(Like.user_id == user_id)
    for row in reads.rows(query, Like.post_id):
        yield {"post_id": row.post_id, "created_at": iso(row.created_at)}


def saved(reads: Reads, user_id: int) -> Rows:
    """Saved posts, with their author while you can still see the post."""
    query = (
        select(SavedPost.post_id, SavedPost.created_at, _post_author(user_id).label("author"))
        .join(Post, Post.id == SavedPost.post_id)
        .join(User, User.id == Post.author_id)
        .where(SavedPost.user_id == user_id)
    )
    for row in reads.rows(query, SavedPost.post_id):
        yield {"post_id": row.post_id, "post_author": row.author, "saved_at": iso(row.created_at)}


def _people(
    reads: Reads, user_id: int, mine: Any, other: Any, created_at: Any, *, named: bool = False
) -> Rows:
    """Accounts in a relation with the person, by username, and since when. ``named``: always
    named (accounts the person chose, such as those they blocked), else only while seen."""
    name = User.username if named else _seen(user_id, other)
    query = (
        select(other, name.label("username"), created_at)
        .join(User, User.id == other)
        .where(mine == user_id)
    )
    for row in reads.rows(query, other):
        yield {"username": row.username, "since": iso(row[2])}


def followers(reads: Reads, user_id: int) -> Rows:
    return _people(reads, user_id, Follow.followee_id, Follow.follower_id, Follow.created_at)


def following(reads: Reads, user_id: int) -> Rows:
    return _people(reads, user_id, Follow.follower_id, Follow.followee_id, Follow.created_at)


def requests_sent(reads: Reads, user_id: int) -> Rows:
    mine, other = FollowRequest.requester_id, FollowRequest.target_id
    return _people(reads, user_id, mine, other, FollowRequest.created_at)


def requests_received(reads: Reads, user_id: int) -> Rows:
    mine, other = FollowRequest.target_id, FollowRequest.requester_id
    return _people(reads, user_id, mine, other, FollowRequest.created_at)


def blocked(reads: Reads, user_id: int) -> Rows:
    """The accounts you blocked (named: you chose them; a block hides them from you only)."""
    return _people(reads, user_id, Block.blocker_id, Block.blocked_id, Block.created_at, named=True)


def muted(reads: Reads, user_id: int) -> Rows:
    return _people(reads, user_id, Mute.muter_id, Mute.muted_id, Mute.created_at, named=True)


def notifications(reads: Reads, user_id: int) -> Rows:
    """What you were told, and whether you had seen it; the actor named while seen (none
    for the moderators' notices, which carry their reason and what was removed)."""
    query = (
        select(
            Notification.id, Notification.kind, Notification.created_at, Notification.read_at,
            Notification.post_id, Notification.comment_id, Notification.reason,
            Notification.excerpt, _seen(user_id, Notification.actor_id).label("actor"),
        )
        .outerjoin(User, User.id == Notification.actor_id)
        .where(Notification.recipient_id == user_id)
    )  # fmt: skip
    for row in reads.rows(query, Notification.id):
        item = {
            "kind": str(row.kind),
            "actor": row.actor,
            "post_id": row.post_id,
            "comment_id": row.comment_id,
            "created_at": iso(row.created_at),
            "read_at": iso(row.read_at),
        }
        if row.kind in MODERATED:
            item |= {"removed": row.excerpt, "reason": row.reason}
        yield item


# Security: what signs you in, names and dates only.


def security_events(reads: Reads, user_id: int) -> Rows:
    query = select(
        SecurityEvent.id, SecurityEvent.kind, SecurityEvent.created_at, SecurityEvent.ip,
        SecurityEvent.device_label, SecurityEvent.detail,
    ).where(SecurityEvent.user_id == user_id)  # fmt: skip
    for row in reads.rows(query, SecurityEvent.id):
        yield {
            "kind": str(row.kind),
            "created_at": iso(row.created_at),
            "ip": row.ip,
            "device": row.device_label,
            "detail": shown_detail(row.kind, row.detail),
        }


def sessions(reads: Reads, user_id: int) -> Rows:
    query = select(
        UserSession.id, UserSession.device_label, UserSession.ip, UserSession.remember,
        UserSession.created_at, UserSession.last_seen_at, UserSession.authenticated_at,
        UserSession.expires_at, UserSession.revoked_at,
    ).where(UserSession.user_id == user_id)  # fmt: skip
    for row in reads.rows(query, UserSession.id):
        yield {
            "device": row.device_label,
            "ip": row.ip,
            "kept_signed_in": row.remember,
            "created_at": iso(row.created_at),
            "last_seen_at": iso(row.last_seen_at),
            "signed_in_at": iso(row.authenticated_at),
            "expires_at": iso(row.expires_at),
            "ended_at": iso(row.revoked_at),
        }


def apps(reads: Reads, user_id: int) -> Rows:
    """Apps you let in (their tokens: never the tokens themselves, only what they were)."""
    query = (
        select(
            OAuthToken.id, OAuthApp.name, OAuthApp.website, OAuthToken.scope,
            OAuthToken.refresh_digest.is_not(None).label("kept_signed_in"),
            OAuthToken.created_at, OAuthToken.last_used_at, OAuthToken.access_expires_at,
            OAuthToken.refresh_expires_at, OAuthToken.revoked_at,
        )
        .join(OAuthApp, OAuthApp.id == OAuthToken.app_id)
        .where(OAuthToken.user_id == user_id)
    )  # fmt: skip
    for row in reads.rows(query, OAuthToken.id):
        yield {
            "app": row.name,
            "website": row.website or None,
            "scopes": row.scope.split(),
            "kept_signed_in": bool(row.kept_signed_in),
            "allowed_at": iso(row.created_at),
            "last_used_at": iso(row.last_used_at),
            "expires_at": iso(row.refresh_expires_at or row.access_expires_at),
            "ended_at": iso(row.revoked_at),
        }


def devices(reads: Reads, user_id: int) -> Rows:
    """Devices you signed in from (new ones are told to you by email)."""
    query = select(
        KnownDevice.id, KnownDevice.label, KnownDevice.first_seen_at, KnownDevice.last_seen_at
    ).where(KnownDevice.user_id == user_id)
    for row in reads.rows(query, KnownDevice.id):
        yield {
            "device": row.label,
            "first_seen_at": iso(row.first_seen_at),
            "last_seen_at": iso(row.last_seen_at),
        }


def trusted_browsers(reads: Reads, user_id: int) -> Rows:
    query = select(
        TrustedBrowser.id, TrustedBrowser.label, TrustedBrowser.ip, TrustedBrowser.created_at,
        TrustedBrowser.last_used_at, TrustedBrowser.expires_at, TrustedBrowser.revoked_at,
    ).where(TrustedBrowser.user_id == user_id)  # fmt: skip
    for row in reads.rows(query, TrustedBrowser.id):
        yield {
            "device": row.label,
            "ip": row.ip,
            "trusted_at": iso(row.created_at),
            "last_used_at": iso(row.last_used_at),
            "expires_at": iso(row.expires_at),
            "ended_at": iso(row.revoked_at),
        }


def passkeys(reads: Reads, user_id: int) -> Rows:
    query = select(
        Passkey.id, Passkey.name, Passkey.transports, Passkey.created_at, Passkey.last_used_at
    ).where(Passkey.user_id == user_id)
    for row in reads.rows(query, Passkey.id):
        yield {
            "name": row.name,
            "transports": [t for t in row.transports.split(",") if t],
            "added_at": iso(row.created_at),
            "last_used_at": iso(row.last_used_at),
        }


def second_factors(reads: Reads, user_id: int) -> Rows:
    """The authenticator app, and each set of recovery codes with how many are used."""
    app = select(TotpFactor.id, TotpFactor.created_at, TotpFactor.confirmed_at).where(
        TotpFactor.user_id == user_id
    )
    for row in reads.rows(app, TotpFactor.id):
        yield {
            "kind": "authenticator_app",
            "added_at": iso(row.created_at),
            "set_up_at": iso(row.confirmed_at),
        }
    codes = (
        select(
            RecoveryCode.created_at,
            func.count().label("codes"),
            func.count(RecoveryCode.used_at).label("used"),
        )
        .where(RecoveryCode.user_id == user_id)
        .group_by(RecoveryCode.created_at)
    )
    for batch in reads.rows(codes, RecoveryCode.created_at):
        yield {
            "kind": "recovery_codes",
            "added_at": iso(batch.created_at),
            "codes": batch.codes,
            "used": batch.used,
        }


# Moderation: what you reported, and what was done to your account.


def reports(reads: Reads, user_id: int) -> Rows:
    """Reports you filed, with their outcome; the reported account named while seen."""
    query = (
        select(
            Report.id, Report.created_at, Report.reason, Report.details, Report.status,
            Report.resolved_at, Report.post_id, Report.comment_id,
            _seen(user_id, Report.reported_user_id).label("account"),
        )
        .outerjoin(User, User.id == Report.reported_user_id)
        .where(Report.reporter_id == user_id)
    )  # fmt: skip
    for row in reads.rows(query, Report.id):
        yield {
            "created_at": iso(row.created_at),
            "reason": str(row.reason),
            "details": row.details,
            "account": row.account,
            "post_id": row.post_id,
            "comment_id": row.comment_id,
            "status": str(row.status),
            "resolved_at": iso(row.resolved_at),
        }


def moderation(reads: Reads, user_id: int) -> Rows:
    """What moderators did to your account, with their reason (not which moderator). A
    dismissed report is no action on the account, and would tell that someone reported
    you, so it is left out."""
    query = select(
        ModerationAction.id, ModerationAction.kind, ModerationAction.reason,
        ModerationAction.until, ModerationAction.created_at,
    ).where(
        ModerationAction.target_user_id == user_id,
        ModerationAction.kind != ModerationKind.DISMISS_REPORT,
    )  # fmt: skip
    for row in reads.rows(query, ModerationAction.id):
        yield {
            "action": str(row.kind),
            "reason": row.reason,
            "until": iso(row.until),
            "created_at": iso(row.created_at),
        }


def imports(reads: Reads, user_id: int) -> Rows:
    """Archives you imported: when, from where, how far it got, and what was left out."""
    query = select(
        DataImport.id, DataImport.source, DataImport.status, DataImport.visibility,
        DataImport.requested_at, DataImport.finished_at, DataImport.posts_imported,
        DataImport.photos_imported, DataImport.skipped, DataImport.skipped_count,
        DataImport.error,
    ).where(DataImport.user_id == user_id)  # fmt: skip
    for row in reads.rows(query, DataImport.id):
        yield {
            "source": str(row.source),
            "status": str(row.status),
            "imported_posts_for": str(row.visibility),
            "uploaded_at": iso(row.requested_at),
            "finished_at": iso(row.finished_at),
            "posts_imported": row.posts_imported,
            "photos_imported": row.photos_imported,
            "left_out": row.skipped,
            "left_out_count": row.skipped_count,
            "stopped_because": row.error,
        }


def username_holds(user_id: int) -> list[dict[str, Any]]:
    """Former usernames kept for you for a while after you changed yours (a few at most)."""
    query = select(UsernameHold.username, UsernameHold.held_until).where(
        UsernameHold.user_id == user_id
    )
    return [
        {"username": row.username, "held_until": iso(row.held_until)}
        for row in db.session.execute(query.order_by(UsernameHold.held_until))
    ]
