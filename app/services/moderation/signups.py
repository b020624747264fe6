"""Sign-ups waiting for a moderator (the approval registration mode), and the decisions.

Each decision is a ``ModerationAction`` in the same transaction, and the person is emailed
either way through the outbox. A rejected sign-up's account is removed at once, with the
mail still waiting for its address, so its username and address are free again; the log
keeps the decision and the reason, not who it was.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import MAX_MODERATION_REASON, ModerationAction, ModerationKind, OutboxMessage, User
from app.services.content import text
from app.services.errors import FormError
from app.services.operations import mailer

PAGE = 100


def waiting() -> list[User]:
    """The oldest sign-ups first: they have waited longest."""
    return list(
        db.session.scalars(select(User).where(User.awaiting_approval).order_by(User.id).limit(PAGE))
    )


def waiting_count() -> int:
    """For the admin area (and its overview)."""
    return db.session.scalar(select(func.count()).where(User.awaiting_approval)) or 0


def waiting_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username, User.awaiting_approval))


def _log(moderator: User, kind: ModerationKind, reason: str, target_id: int | None) -> None:
    db.session.add(
        ModerationAction(
            moderator_id=moderator.id, kind=kind, target_user_id=target_id, reason=reason
        )
    )
    db.session.flush()


def approve(moderator: User, user: User) -> None:
    """Let them in: they can log in at once, and are told so."""
    if not user.awaiting_approval:
        raise FormError(f"@{user.username}'s sign-up was already decided.")
    user.awaiting_approval = False
    _log(moderator, ModerationKind.APPROVE_SIGNUP, "", user.id)
    mailer.queue(
        user.email,
        "signup_approved",
        "Welcome to Sapling: your account is ready",
        user=user,
        login_url=mailer.link("auth.login"),
    )


def reject(moderator: User, user: User, reason: str) -> None:
    """Turn the sign-up down with a reason, which they are told; the account goes."""
    reason = text.clean(reason)
    if not reason:
        raise FormError("Give a reason: it is recorded and sent to them.", "reject_reason")
    if len(reason) > MAX_MODERATION_REASON:
        raise FormError(
            f"Keep the reason under {MAX_MODERATION_REASON} characters.", "reject_reason"
        )
    if not user.awaiting_approval:
        raise FormError(f"@{user.username}'s sign-up was already decided.")
    _log(moderator, ModerationKind.REJECT_SIGNUP, reason, None)
    # Mail not yet sent to them (the confirmation link) would only puzzle them now.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.to_address == user.email, OutboxMessage.sent_at.is_(None)
        )
    )
    mailer.queue(
        user.email,
        "signup_rejected",
        "Your Sapling sign-up was not approved",
        username=user.username,
        reason=reason,
    )
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.flush()
    db.session.expunge(user)
