"""Taking an account back: a cancel link from an address that was verified on it.

Whoever asked to change the address knew the password and was signed in, so
the undo shuts every door they may have opened since: sessions, trusted
browsers, second factors and browsers added since the change was asked for,
the password itself, and every other link. The owner gets a reset link at the
restored address. See docs/security.md, "Fixed in 0.8.0", item 1.
"""

from __future__ import annotations

from flask import current_app

from app.models import ActionToken, SecurityEventKind, TokenPurpose, User, utcnow
from app.services.accounts import tokens
from app.services.accounts.identifiers import canonical_email
from app.services.accounts.passwords import UNUSABLE_PASSWORD_HASH
from app.services.accounts.registration import user_by_email
from app.services.errors import FormError
from app.services.operations import mailer
from app.services.security import security_log, sessions, two_step
from app.services.security.clients import Client


def reclaim(token: ActionToken, client: Client) -> User:
    """Give the account back to ``token.email``; the token was consumed by the caller."""
    user = token.user
    email, email_key = token.email, canonical_email(token.email)  # checked when it was sent
    if email_key != user.email_key:
        other = user_by_email(email_key)
        if other is not None and other.id != user.id:
            raise FormError("That address now belongs to another account; contact support.")
    previous = user.email
    user.email, user.email_key = email, email_key
    user.pending_email = None
    user.email_verified_at = utcnow()  # the link was opened in that inbox
    # The earliest cancel link wins: those issued after this one (for example to an address
    # the attacker added and confirmed) die, so nobody can take the account back from here.
    tokens.revoke_newer(token)
    tokens.revoke_every_link(user, except_purposes=[TokenPurpose.CANCEL_EMAIL_CHANGE])
    sessions.end_all_sessions(user)
    two_step.untrust_all(user)
    removed = two_step.remove_added_since(user, token.created_at)
    sessions.forget_devices_first_seen_since(user, token.created_at)
    user.password_hash = UNUSABLE_PASSWORD_HASH
    reset = tokens.issue(
        user, TokenPurpose.RESET_PASSWORD, email, current_app.config["PASSWORD_RESET_TTL"]
    )
    moved = f"{previous} → {email}" if previous != email else f"{email} kept"
    security_log.record(
        user,
        SecurityEventKind.EMAIL_CHANGE_CANCELLED,
        client,
        detail=f"{moved}; sessions ended, password reset needed"
        + (f"; removed {', '.join(removed)}" if removed else ""),
    )
    mailer.queue(
        email,
        "email_change_undone",
        "Your Sapling email address was restored",
        user=user,
        previous=previous if previous != email else None,
        removed=removed,
        reset_url=mailer.link("auth.reset_password", token=reset),
        forgot_url=mailer.link("auth.forgot_password"),
    )
    return user
