"""Erasing an account for good, once its grace period is over.

A purge runs in two phases, each safe to repeat:

1. ``erase_files``: the account's photo files (every size), its avatar and its
   data exports. Files shared with other people's photos (demo data) stay.
2. ``erase_rows``: other people's counters are left without the account (they have been
   since it was hidden: ``counters.settle``), mail waiting for the
   address is dropped, a ``deleted_users`` row records what remains (an opaque
   id, dates, the reason), and the ``users`` row is deleted; every row that
   belongs to it goes with it (ON DELETE CASCADE): posts, photos, comments,
   likes, follows, blocks, mutes, saves, notifications, sessions, devices,
   tokens, second factors, security events, exports, username holds.

If the process dies between the phases, the next run finds the account still
due, repeats phase 1 (nothing left to delete) and completes phase 2.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, exists, select

from app.extensions import db
from app.models import (
    DataExport,
    DeletedUser,
    DeletionReason,
    Hashtag,
    OutboxMessage,
    Photo,
    Post,
    PostHashtag,
    User,
)
from app.services.content import counters
from app.services.media.media_storage import media_storage


def due(now: datetime) -> list[int]:
    """Ids of accounts whose grace period ended."""
    cutoff = now - current_app.config["ACCOUNT_DELETION_GRACE"]
    query = select(User.id).where(
        User.deletion_requested_at.is_not(None), User.deletion_requested_at <= cutoff
    )
    return list(db.session.scalars(query.order_by(User.id)))


def erase_files(user: User) -> int:
    """Phase 1: delete the account's media and exports; returns how many keys went."""
    own_keys = set(
        db.session.scalars(
            select(Photo.storage_key)
            .join(Post, Post.id == Photo.post_id)
            .where(Post.author_id == user.id)
        )
    )
    shared = set(
        db.session.scalars(
            select(Photo.storage_key)
            .join(Post, Post.id == Photo.post_id)
            .where(Photo.storage_key.in_(own_keys), Post.author_id != user.id)
        )
    )
    keys = (own_keys - shared) | ({user.avatar_key} if user.avatar_key else set())
    storage = media_storage()
    for key in keys:
        storage.delete(key)
    exports = Path(current_app.config["MEDIA_ROOT"]) / "exports"
    for name in db.session.scalars(
        select(DataExport.file_name).where(
            DataExport.user_id == user.id, DataExport.file_name.is_not(None)
        )
    ):
        (exports / f"{Path(str(name)).name}").unlink(missing_ok=True)
    return len(keys)


def erase_rows(user: User, now: datetime) -> None:
    """Phase 2: everything in the database, in the caller's transaction."""
    uid = user.id
    # Hidden since the deletion request, its likes, comments and follows are out of every
    # counter already; settling again finds nothing to move (an account hidden before
    # counters.settle existed is settled here).
    counters.settle(uid, now)
    addresses = [address for address in (user.email, user.pending_email) if address]
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
    reason = DeletionReason(user.deletion_reason or DeletionReason.SELF_DELETED.value)
    db.session.add(
        DeletedUser(
            account_created_at=user.created_at,
            deletion_requested_at=user.deletion_requested_at or now,
            purged_at=now,
            reason=reason,
        )
    )
    db.session.execute(delete(User).where(User.id == uid))
    # Tags nobody uses any more go too: a tag can be as telling as a name.
    db.session.execute(delete(Hashtag).where(~exists().where(PostHashtag.hashtag_id == Hashtag.id)))
    db.session.flush()
    db.session.expunge(user)


def purge_account(user_id: int, now: datetime) -> bool:
    """Both phases for one account; False if it is already gone. The caller commits."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    erase_files(user)
    erase_rows(user, now)
    return True
