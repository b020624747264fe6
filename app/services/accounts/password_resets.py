"""Forgot-password in two halves, so that the request does the same work for every address.

The request only records that a reset was asked for an address (``ask``): one insert,
whether or not an account has it, and no lookup, so its time and its SQL say nothing
about who has an account. The worker (``handle``) then looks the address up and, for an
account, issues the link, writes the security event and queues the email; the ask is
deleted either way, in the same transaction, so it never outlives its use.

With MAIL_DELIVER_AFTER_COMMIT on (development and tests, where no worker need run)
the request's own asks are handled right after its commit, as its email is sent then.
That brings the timing difference back, which is why production leaves both to the
worker (docs/security.md, "Fixed in 0.8.0").
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.core import deferred_work
from app.extensions import db
from app.models import PasswordResetRequest, SecurityEventKind, TokenPurpose, utcnow
from app.services.accounts import tokens
from app.services.accounts.identifiers import canonical_email
from app.services.accounts.registration import user_by_email
from app.services.operations import mailer
from app.services.security import security_log
from app.services.security.clients import Client

BATCH_SIZE = 50


def ask(email: str, client: Client, *, answer_after_commit: bool = False) -> None:
    """Record the ask (flushed, not committed); the caller answers the same either way.

    ``answer_after_commit`` handles it once the caller's unit of work has committed, for a
    request when MAIL_DELIVER_AFTER_COMMIT is on; otherwise the worker does.
    """
    key = canonical_email(email)
    if "@" not in key:
        return  # not an address at all: no account can have it
    request = PasswordResetRequest(email_key=key, ip=client.ip, device_label=client.device_label)
    db.session.add(request)
    db.session.flush()
    if answer_after_commit:
        db.session.info.setdefault("reset_request_ids", []).append(request.id)
        deferred_work.answer_reset_asks()


def _waiting(ids: list[int] | None) -> list[PasswordResetRequest]:
    query = select(PasswordResetRequest)
    if ids is not None:
        query = query.where(PasswordResetRequest.id.in_(ids))
    # As with the outbox: two workers never take the same ask (PostgreSQL), and each is
    # locked until the caller commits; SQLite has one writer anyway.
    query = query.order_by(PasswordResetRequest.id).limit(BATCH_SIZE)
    return list(db.session.scalars(query.with_for_update(skip_locked=True)))


def handle(ids: list[int] | None = None) -> int:
    """Act on waiting asks (only ``ids`` if given) and delete them; returns how many.

    The caller commits. An ask older than a reset link's lifetime (no worker ran for that
    long) is deleted without a link: the person has long stopped waiting for it.
    """
    oldest = utcnow() - current_app.config["PASSWORD_RESET_TTL"]
    asks = _waiting(ids)
    for request in asks:
        if request.requested_at > oldest:
            _act_on(request)
        db.session.delete(request)
    db.session.flush()
    return len(asks)


def _act_on(request: PasswordResetRequest) -> None:
    user = user_by_email(request.email_key)
    if user is None:
        return
    client = Client(ip=request.ip, device_label=request.device_label)
    raw = tokens.issue(
        user, TokenPurpose.RESET_PASSWORD, user.email, current_app.config["PASSWORD_RESET_TTL"]
    )
    security_log.record(user, SecurityEventKind.PASSWORD_RESET_REQUESTED, client)
    mailer.queue(
        user.email,
        "password_reset",
        "Reset your Sapling password",
        user=user,
        client=client,
        reset_url=mailer.link("auth.reset_password", token=raw),
    )
