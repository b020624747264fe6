"""The apps a person has let in, as the Devices page and the API's edge see them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OAuthApp, OAuthToken, User, utcnow
from app.services.api.oauth import register

__all__ = ["live_tokens", "register", "revoke", "token_user"]

# A token's "last used" moves at most this often, so a busy app is not a write per call.
LAST_USED_STEP = timedelta(minutes=1)


def token_user(token: OAuthToken) -> User | None:
    """The person a live token acts for, if their account is active (flushed: its last use)."""
    user = db.session.get(User, token.user_id)
    if user is None or not user.account_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        token.last_used_at = now
        db.session.flush()
    return user


def live_tokens(user: User) -> list[OAuthToken]:
    """The person's tokens that still work, newest first, each with its app."""
    now = utcnow()
    query = (
        select(OAuthToken)
        .join(OAuthApp, OAuthApp.id == OAuthToken.app_id)
        .where(OAuthToken.user_id == user.id, OAuthToken.revoked_at.is_(None))
        .order_by(OAuthToken.id.desc())
        .limit(200)
    )
    return [
        token
        for token in db.session.scalars(query)
        if token.access_expires_at > now
        or (token.refresh_expires_at is not None and token.refresh_expires_at > now)
    ]


def revoke(user: User, token_id: int) -> bool:
    """End one of the person's tokens (flushed); False if it is not theirs or not live."""
    token = db.session.get(OAuthToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True
