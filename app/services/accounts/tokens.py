"""Single-use, expiring links: issued by email, redeemed once.

``find`` only looks (to show the page behind a link). ``consume`` claims the
link with one conditional UPDATE ... RETURNING, so of two requests racing with
one link exactly one gets it: the other's UPDATE waits for the first to commit,
then matches nothing. Callers consume before they change anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import ActionToken, TokenPurpose, User, utcnow
from app.services.accounts.identifiers import canonical_email
from app.services.security.digests import digest, new_secret

MAX_RAW_LENGTH = 100


def issue(
    user: User, purpose: TokenPurpose, email: str, ttl: timedelta, *, replace_older: bool = True
) -> str:
    """A new link token; unless ``replace_older`` is off, older unused ones of its kind die."""
    if replace_older:
        revoke_all(user, purpose)
    raw = new_secret()
    now = utcnow()
    db.session.add(
        ActionToken(
            token_hash=digest(raw),
            user=user,
            purpose=purpose,
            email=email,
            email_key=canonical_email(email),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.session.flush()
    return raw


def find(raw: str | None, *purposes: TokenPurpose) -> ActionToken | None:
    """The token if it exists for one of these purposes, is unused and unexpired; else None."""
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    token = db.session.scalar(select(ActionToken).where(ActionToken.token_hash == digest(raw)))
    if token is None or token.purpose not in purposes or token.used_at is not None:
        return None
    if token.expires_at <= utcnow():
        return None
    return token


def consume(raw: str | None, *purposes: TokenPurpose) -> ActionToken | None:
    """Claim the token for this request, atomically; None if it is not (or no longer) usable.

    The claim lasts only if the request commits: a refused request rolls it back.
    """
    if not raw or len(raw) > MAX_RAW_LENGTH:
        return None
    now = utcnow()
    claimed = db.session.scalar(
        update(ActionToken)
        .where(
            ActionToken.token_hash == digest(raw),
            ActionToken.purpose.in_(purposes),
            ActionToken.used_at.is_(None),
            ActionToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(ActionToken.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        return None
    # Read afresh: an earlier find() in this request may have loaded it, and its user.
    return db.session.get(ActionToken, claimed, populate_existing=True)


def revoke_all(user: User, purpose: TokenPurpose) -> None:
    _revoke(user, [purpose])


def revoke_every_link(user: User, *, except_purposes: Iterable[TokenPurpose] = ()) -> None:
    """Every unused link of the account dies (but those of ``except_purposes``)."""
    _revoke(user, [p for p in TokenPurpose if p not in set(except_purposes)])


def revoke_newer(token: ActionToken) -> None:
    """Every unused link of the same account and kind issued after ``token`` dies."""
    db.session.execute(
        update(ActionToken)
        .where(
            ActionToken.user_id == token.user_id,
            ActionToken.purpose == token.purpose,
            ActionToken.used_at.is_(None),
            ActionToken.id > token.id,
        )
        .values(used_at=utcnow())
    )


def _revoke(user: User, purposes: list[TokenPurpose]) -> None:
    db.session.execute(
        update(ActionToken)
        .where(
            ActionToken.user_id == user.id,
            ActionToken.purpose.in_(purposes),
            ActionToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def holder_of(
    email_key: str, purpose: TokenPurpose, *, other_than: User | None = None
) -> tuple[User, str] | None:
    """An account a live link of ``purpose`` holds this address for, and the address as sent."""
    query = select(ActionToken).where(
        ActionToken.email_key == email_key,
        ActionToken.purpose == purpose,
        ActionToken.used_at.is_(None),
        ActionToken.expires_at > utcnow(),
    )
    if other_than is not None:
        query = query.where(ActionToken.user_id != other_than.id)
    token = db.session.scalar(query.order_by(ActionToken.id).limit(1))
    return (token.user, token.email) if token is not None else None
