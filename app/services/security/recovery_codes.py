"""Single-use recovery codes, for when the phone and the passkeys are gone.

Each code has 80 random bits (16 base32 characters), so its SHA-256 digest is
safe to store and quick to check. They are shown once; regenerating replaces
the whole set.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import RecoveryCode, SecurityEventKind, User, utcnow
from app.services.security import security_log
from app.services.security.clients import Client
from app.services.security.digests import digest

COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # base32 without look-alikes (0/O, 1/I)


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def generate(user: User, client: Client) -> list[str]:
    """A fresh set of codes; every earlier code stops working."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=digest(normalise(c))) for c in codes)
    db.session.flush()
    security_log.record(user, SecurityEventKind.RECOVERY_CODES_GENERATED, client)
    security_log.notify(user, "New recovery codes were made; the old ones no longer work.", client)
    return codes


def remaining(user: User) -> int:
    count = db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


def use(user: User, code: str, client: Client) -> int | None:
    """Spend a code; returns how many are left, or None if it is wrong or used."""
    normal = normalise(code)
    if len(normal) != 16:
        return None
    # One conditional UPDATE: of two concurrent requests with one code, one wins.
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == digest(normal),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return None
    left = remaining(user)
    security_log.record(user, SecurityEventKind.RECOVERY_CODE_USED, client, detail=f"{left} left")
    security_log.notify(
        user, f"A recovery code was used to sign in. {left} of {COUNT} remain.", client
    )
    return left


def still_valid(user: User, codes: list[str]) -> list[str]:
    """The codes from this list that are this user's and unused (for the download)."""
    digests = {digest(normalise(c)): c for c in codes if len(normalise(c)) == 16}
    if not digests:
        return []
    stored = set(
        db.session.scalars(
            select(RecoveryCode.code_hash).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.used_at.is_(None),
                RecoveryCode.code_hash.in_(digests),
            )
        )
    )
    return [code for d, code in digests.items() if d in stored]
