"""Invite links: made by moderators, operators or (when allowed) members; each opens the
sign-up form up to its number of uses, until it expires or its maker withdraws it.

Only the SHA-256 of the token is stored, as for emailed links, so the link is shown once,
when it is made. ``use`` takes one use with a single conditional UPDATE: of two sign-ups
racing for the last use, the second one's UPDATE waits for the first to commit and then
matches nothing, so a link never opens more accounts than it allows.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import MAX_INVITE_DAYS, MAX_INVITE_USES, Invite, User, utcnow
from app.services.errors import FormError
from app.services.security.digests import digest, new_secret

MAX_RAW_LENGTH = 100
# Live invites one member may have at a time: enough to invite friends, not to flood.
MAX_LIVE_PER_MEMBER = 20
PAGE = 100


class Problem(enum.StrEnum):
    """Why a given invite link cannot open the form; the page says which."""

    UNKNOWN = "unknown"
    REVOKED = "revoked"
    USED_UP = "used_up"
    EXPIRED = "expired"
    CLOSED = "closed"  # a member's invite, on an instance closed to all but staff's


def _live() -> list[object]:
    return [
        Invite.revoked_at.is_(None),
        Invite.uses < Invite.max_uses,
        Invite.expires_at > utcnow(),
    ]


def create(creator: User | None, uses: int, days: int) -> tuple[Invite, str]:
    """A new invite and its raw token (for the link; never stored). ``creator`` None is an
    operator (`flask instance invite`). Whether a member may make one at all is
    ``registrations.may_invite``'s to say."""
    if not 1 <= uses <= MAX_INVITE_USES:
        raise FormError(f"Allow 1 to {MAX_INVITE_USES} uses.", "uses")
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise FormError(f"Let it work for 1 to {MAX_INVITE_DAYS} days.", "days")
    staff = creator is None or creator.is_admin
    if creator is not None and not staff:
        live = db.session.scalar(
            select(func.count())
            .select_from(Invite)
            .where(Invite.creator_id == creator.id, *_live())  # type: ignore[arg-type]
        )
        if (live or 0) >= MAX_LIVE_PER_MEMBER:
            raise FormError(
                f"You have {MAX_LIVE_PER_MEMBER} invites that still work: withdraw one first."
            )
    raw = new_secret()
    now = utcnow()
    invite = Invite(
        token_hash=digest(raw),
        creator_id=creator.id if creator is not None else None,
        by_staff=staff,
        max_uses=uses,
        uses=0,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invite)
    db.session.flush()
    return invite, raw


def _well_formed(raw: str | None) -> bool:
    return bool(raw) and len(raw or "") <= MAX_RAW_LENGTH and (raw or "").isascii()


def check(raw: str | None) -> tuple[Invite | None, Problem | None]:
    """The invite if it can be used now, else None and why not. Only looks."""
    if not _well_formed(raw):
        return None, Problem.UNKNOWN
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == digest(raw or "")))
    if invite is None:
        return None, Problem.UNKNOWN
    if invite.revoked_at is not None:
        return None, Problem.REVOKED
    if invite.uses >= invite.max_uses:
        return None, Problem.USED_UP
    if invite.expires_at <= utcnow():
        return None, Problem.EXPIRED
    return invite, None


def use(invite: Invite) -> bool:
    """Take one use, atomically; False if none is left (or it was revoked or ran out
    meanwhile). Lasts only if the caller's transaction commits."""
    taken = db.session.scalar(
        update(Invite)
        .where(Invite.id == invite.id, *_live())  # type: ignore[arg-type]
        .values(uses=Invite.uses + 1)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invite)  # as it is now, so a refusal can say why
    return taken is not None


def revoke(actor: User, invite_id: int) -> Invite:
    """Withdraw an invite: its maker may, and moderators may withdraw any."""
    invite = db.session.get(Invite, invite_id)
    if invite is None or (not actor.is_admin and invite.creator_id != actor.id):
        raise FormError("There is no such invite.")
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        db.session.flush()
    return invite


def made_by(user: User) -> list[Invite]:
    """A member's invites, newest first."""
    return list(
        db.session.scalars(
            select(Invite)
            .where(Invite.creator_id == user.id)
            .order_by(Invite.id.desc())
            .limit(PAGE)
        )
    )


def every() -> list[tuple[Invite, User | None]]:
    """Every invite with its maker (None: an operator, or a maker now gone), newest first."""
    rows = db.session.execute(
        select(Invite, User)
        .outerjoin(User, User.id == Invite.creator_id)
        .order_by(Invite.id.desc())
        .limit(PAGE)
    )
    return [(invite, maker) for invite, maker in rows]
