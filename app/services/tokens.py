"""Single-use, expiring links: issued by email, redeemed once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import ActionToken, TokenPurpose, User, utcnow
from app.services.digests import digest, new_secret


def issue(user: User, purpose: TokenPurpose, email: str, ttl: timedelta) -> str:
    """A new link token; any older unused one for the same purpose stops working."""
    revoke_all(user, purpose)
    raw = new_secret()
    now = utcnow()
    db.session.add(
        ActionToken(
            token_hash=digest(raw),
            user=user,
            purpose=purpose,
            email=email,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.session.flush()
    return raw


def find(raw: str | None, purpose: TokenPurpose) -> ActionToken | None:
    """The token if it exists for this purpose, is unused and unexpired; None otherwise."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(select(ActionToken).where(ActionToken.token_hash == digest(raw)))
    if token is None or token.purpose != purpose or token.used_at is not None:
        return None
    if token.expires_at <= utcnow():
        return None
    return token


def use(token: ActionToken) -> None:
    token.used_at = utcnow()


def revoke_all(user: User, purpose: TokenPurpose) -> None:
    db.session.execute(
        update(ActionToken)
        .where(
            ActionToken.user_id == user.id,
            ActionToken.purpose == purpose,
            ActionToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
