"""Account deletion: a request that hides everything at once, a grace period, a purge.

``request_deletion`` is the whole first step, for the owner and for a
moderator alike; the account's files leave the public area with it
(``account_media``). ``restore`` undoes a self-deletion when the owner logs in
during the grace period, and brings them back. ``purge_due`` (run by
``flask maintenance run``) erases accounts whose grace period is over; see
``purge.py``.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import DeletionReason, SecurityEventKind, TrustedBrowser, User, utcnow
from app.services.content import counters
from app.services.media import account_media
from app.services.operations import mailer
from app.services.security import security_log, sessions
from app.services.security.clients import Client


def request_deletion(
    user: User,
    reason: DeletionReason,
    client: Client | None = None,
    now: datetime | None = None,
) -> None:
    """Hide the account, its content and its files now, end every session and trusted browser,
    and tell the owner by email when the data will be erased for good."""
    now = now or utcnow()
    account_media.hide(user)
    user.deletion_requested_at = now
    user.deletion_reason = reason.value
    counters.settle(user.id)  # its likes, comments and follows leave every count now
    security_log.record(user, SecurityEventKind.ACCOUNT_DELETION_REQUESTED, client, reason.value)
    sessions.end_all_sessions(user)
    db.session.execute(
        update(TrustedBrowser)
        .where(TrustedBrowser.user_id == user.id, TrustedBrowser.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.flush()
    mailer.queue(
        user.email,
        "account_deleted",
        "Your Sapling account is deleted",
        user=user,
        purge_on=purge_date(user),
        restorable=reason == DeletionReason.SELF_DELETED,
        login_url=mailer.link("auth.login"),
    )


def purge_date(user: User) -> datetime | None:
    """When the account's data is erased for good (None if no deletion was asked for)."""
    if user.deletion_requested_at is None:
        return None
    grace: datetime = user.deletion_requested_at + current_app.config["ACCOUNT_DELETION_GRACE"]
    return grace


def restorable(user: User, now: datetime | None = None) -> bool:
    """A self-deletion whose grace period has not ended yet."""
    when = purge_date(user)
    return (
        when is not None
        and user.deletion_reason == DeletionReason.SELF_DELETED.value
        and (now or utcnow()) < when
    )


def restore(user: User, client: Client | None) -> None:
    """Cancel a self-deletion (the owner logged in during the grace period)."""
    user.deletion_requested_at = None
    user.deletion_reason = None
    security_log.record(user, SecurityEventKind.ACCOUNT_RESTORED, client)
    db.session.flush()
    counters.settle(user.id)
    account_media.publish_when_committed(user)
