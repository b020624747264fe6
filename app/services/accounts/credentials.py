"""Changing what proves who you are: password, email address, username."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SecurityEventKind, TokenPurpose, User, UsernameHold, utcnow
from app.services.accounts import password_resets, reclaim, tokens
from app.services.accounts.identifiers import (
    IdentifierError,
    canonical_email,
    check_email,
    check_username,
)
from app.services.accounts.passwords import hash_password, password_problems, verify_password
from app.services.accounts.registration import address_owner, username_taken
from app.services.errors import FormError
from app.services.operations import mailer
from app.services.security import login_guard, security_log, sessions
from app.services.security.clients import Client

CANCEL_PURPOSES = (TokenPurpose.CANCEL_EMAIL_CHANGE, TokenPurpose.STOP_EMAIL_CHANGE)


def _require_password(user: User, password: str, field: str = "current_password") -> None:
    if not verify_password(user.password_hash, password):
        raise FormError("That is not your current password.", field)


def _check_password(user: User, new_password: str) -> None:
    problems = password_problems(new_password, username=user.username, email=user.email)
    if problems:
        raise FormError(" ".join(problems), "new_password")


def _set_password(user: User, new_password: str) -> None:
    _check_password(user, new_password)
    user.password_hash = hash_password(new_password)
    # Every session and every outstanding reset link ends; the caller starts a fresh session.
    sessions.end_all_sessions(user)
    tokens.revoke_all(user, TokenPurpose.RESET_PASSWORD)


def change_password(user: User, current: str, new: str, client: Client) -> None:
    _require_password(user, current)
    _set_password(user, new)
    security_log.record(user, SecurityEventKind.PASSWORD_CHANGED, client)
    mailer.queue(
        user.email,
        "password_changed",
        "Your Sapling password was changed",
        user=user,
        client=client,
        reset_url=mailer.link("auth.forgot_password"),
    )


def request_password_reset(email: str, client: Client, *, answer_after_commit: bool) -> None:
    """A reset link goes out if the address has an account; the caller says the same either
    way. The request only records the ask: the worker does the rest (password_resets), or,
    with ``answer_after_commit``, the request itself once it has committed."""
    password_resets.ask(email, client, answer_after_commit=answer_after_commit)


def reset_token_user(raw: str) -> User | None:
    token = tokens.find(raw, TokenPurpose.RESET_PASSWORD)
    if token is None or token.email != token.user.email:
        return None
    return token.user


def reset_password(raw: str, new: str, client: Client) -> User | None:
    user = reset_token_user(raw)
    if user is None:
        return None
    _check_password(user, new)  # before the claim: a refused password keeps the link
    token = tokens.consume(raw, TokenPurpose.RESET_PASSWORD)
    if token is None or token.email != token.user.email:
        return None  # used a moment ago by another request
    _set_password(user, new)
    # The owner proved control of the inbox: lift any brute-force lock on the account.
    login_guard.clear(login_guard.account_key("", user))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved the address works
    security_log.record(user, SecurityEventKind.PASSWORD_RESET, client)
    mailer.queue(
        user.email,
        "password_reset_done",
        "Your Sapling password was reset",
        user=user,
        client=client,
        reset_url=mailer.link("auth.forgot_password"),
    )
    return user


def set_password_by_operator(user: User, new: str) -> None:
    """`flask users set-password`: as a reset, but by the operator, and said so."""
    _set_password(user, new)
    login_guard.clear(login_guard.account_key("", user))
    security_log.record(user, SecurityEventKind.PASSWORD_SET_BY_OPERATOR, None)
    mailer.queue(
        user.email,
        "password_set_by_operator",
        "Your Sapling password was set by an operator",
        user=user,
        reset_url=mailer.link("auth.forgot_password"),
    )


def request_email_change(user: User, password: str, new_email: str, client: Client) -> None:
    """Nothing changes until the new address is confirmed; the old one can cancel.

    A verified old address gets a cancel link that can take the account back for its
    whole lifetime (services/accounts/reclaim.py); an unverified one, a link that can only stop
    the change while it is pending.
    """
    _require_password(user, password, "password")
    try:
        email, email_key = check_email(new_email)
    except IdentifierError as error:
        raise FormError(str(error), "email") from None
    if email_key == user.email_key:
        raise FormError("That is already your email address.", "email")
    ttl = current_app.config["EMAIL_CHANGE_TTL"]
    user.pending_email = email
    security_log.record(user, SecurityEventKind.EMAIL_CHANGE_REQUESTED, client, detail=email)
    taken = address_owner(email_key, other_than=user)
    if taken is not None:
        # Don't reveal that the address has an account; tell its owner instead.
        owner, address = taken
        mailer.queue(
            address,
            "email_change_attempt",
            "Someone tried to use your email address on Sapling",
            user=owner,
        )
    else:
        raw = tokens.issue(user, TokenPurpose.CHANGE_EMAIL, email, ttl)
        mailer.queue(
            email,
            "email_change_confirm",
            "Confirm your new email address for Sapling",
            user=user,
            confirm_url=mailer.link("auth.confirm_email_change", token=raw),
        )
    cancel_ttl = ttl * 7
    if user.is_verified:
        # Never replaced by a newer one: a second change must not silence the first.
        cancel = tokens.issue(
            user, TokenPurpose.CANCEL_EMAIL_CHANGE, user.email, cancel_ttl, replace_older=False
        )
    else:
        cancel = tokens.issue(user, TokenPurpose.STOP_EMAIL_CHANGE, user.email, ttl)
    mailer.queue(
        user.email,
        "email_change_notice",
        "Your Sapling email address is being changed",
        user=user,
        new_email=email,
        client=client,
        can_undo=user.is_verified,
        cancel_days=cancel_ttl.days,
        cancel_url=mailer.link("auth.cancel_email_change", token=cancel),
    )


def confirm_email_change(raw: str, client: Client) -> User | None:
    token = tokens.consume(raw, TokenPurpose.CHANGE_EMAIL)
    if token is None or token.user.pending_email != token.email:
        return None
    user = token.user
    email, email_key = token.email, canonical_email(token.email)  # checked when it was asked
    if address_owner(email_key, other_than=user) is not None:
        raise FormError("Another account now uses that email address.")
    old = user.email
    user.email, user.email_key = email, email_key
    user.pending_email = None
    user.email_verified_at = utcnow()
    tokens.revoke_all(user, TokenPurpose.VERIFY_EMAIL)
    tokens.revoke_all(user, TokenPurpose.RESET_PASSWORD)
    security_log.record(user, SecurityEventKind.EMAIL_CHANGED, client, detail=f"{old} → {email}")
    return user


def cancel_email_change(raw: str, client: Client) -> User | None:
    """From the old address: take the account back, or (unverified) stop a pending change."""
    token = tokens.consume(raw, *CANCEL_PURPOSES)
    if token is None:
        return None
    if token.purpose == TokenPurpose.CANCEL_EMAIL_CHANGE:
        return reclaim.reclaim(token, client)
    user = token.user
    if token.email != user.email:
        return None  # the change happened: an unproven address cannot undo it
    tokens.revoke_all(user, TokenPurpose.CHANGE_EMAIL)
    user.pending_email = None
    security_log.record(
        user, SecurityEventKind.EMAIL_CHANGE_CANCELLED, client, detail="pending change stopped"
    )
    return user


def change_username(user: User, new: str, client: Client) -> None:
    try:
        username = check_username(new)
    except IdentifierError as error:
        raise FormError(str(error), "username") from None
    if username == user.username:
        raise FormError("That is already your username.", "username")
    if username_taken(username, by_other_than=user):
        raise FormError("That username is taken.", "username")
    old = user.username
    existing_hold = db.session.get(UsernameHold, old)
    held_until = utcnow() + current_app.config["USERNAME_HOLD"]
    if existing_hold is None:
        db.session.add(UsernameHold(username=old, user_id=user.id, held_until=held_until))
    else:
        existing_hold.user_id, existing_hold.held_until = user.id, held_until
    own_hold = db.session.get(UsernameHold, username)
    if own_hold is not None:
        db.session.delete(own_hold)  # taking one's own old name back
    try:
        with db.session.begin_nested():
            user.username = username
            user.username_changed_at = utcnow()
    except IntegrityError:
        raise FormError("That username is taken.", "username") from None
    security_log.record(
        user, SecurityEventKind.USERNAME_CHANGED, client, detail=f"@{old} → @{username}"
    )


def email_change_link_target(raw: str) -> str | None:
    """The new address a confirmation link would switch to, if the link still works."""
    token = tokens.find(raw, TokenPurpose.CHANGE_EMAIL)
    return token.email if token is not None and token.user.pending_email == token.email else None


def cancel_link_kind(raw: str) -> TokenPurpose | None:
    """Which cancel link this is, if it still works (a stop link only while it can stop)."""
    token = tokens.find(raw, *CANCEL_PURPOSES)
    if token is None:
        return None
    if token.purpose == TokenPurpose.STOP_EMAIL_CHANGE and token.email != token.user.email:
        return None
    return token.purpose
