"""The second step of logging in: which factors a user has, and browsers trusted to skip it."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.models import (
    Passkey,
    RecoveryCode,
    SecurityEventKind,
    TotpFactor,
    TrustedBrowser,
    User,
    utcnow,
)
from app.services.security import security_log, totp
from app.services.security.clients import Client
from app.services.security.digests import digest, new_secret


def passkey_count(user: User) -> int:
    count = db.session.scalar(
        select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)
    )
    return int(count or 0)


def is_enabled(user: User) -> bool:
    return totp.is_enabled(user) or passkey_count(user) > 0


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        str(current_app.config["SECRET_KEY"]), salt="sapling-trusted-browser"
    )


def _lifetime() -> timedelta:
    return timedelta(days=int(current_app.config["TRUSTED_BROWSER_DAYS"]))


def trust_browser(user: User, client: Client) -> str:
    """Remember this browser for the second step; returns the signed cookie value."""
    raw = new_secret()
    db.session.add(
        TrustedBrowser(
            user_id=user.id,
            token_hash=digest(raw),
            epoch=user.session_epoch,
            label=client.device_label,
            ip=client.ip,
            expires_at=utcnow() + _lifetime(),
        )
    )
    security_log.record(user, SecurityEventKind.BROWSER_TRUSTED, client, detail=client.device_label)
    return _serializer().dumps({"u": user.id, "t": raw})


def is_trusted(user: User, cookie_value: str | None) -> bool:
    """A valid, unexpired, unrevoked trust for this user, signed by us and of the current epoch."""
    if not cookie_value or len(cookie_value) > 500:
        return False
    try:
        data = _serializer().loads(cookie_value, max_age=int(_lifetime().total_seconds()))
    except BadSignature:
        return False
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("t"), str):
        return False
    trust = db.session.scalar(
        select(TrustedBrowser).where(TrustedBrowser.token_hash == digest(data["t"]))
    )
    now = utcnow()
    if trust is None or trust.user_id != user.id or trust.revoked_at is not None:
        return False
    if trust.expires_at <= now or trust.epoch != user.session_epoch:
        return False
    trust.last_used_at = now
    return True


def trusted_browsers(user: User) -> list[TrustedBrowser]:
    return list(
        db.session.scalars(
            select(TrustedBrowser)
            .where(
                TrustedBrowser.user_id == user.id,
                TrustedBrowser.revoked_at.is_(None),
                TrustedBrowser.expires_at > utcnow(),
                TrustedBrowser.epoch == user.session_epoch,
            )
            .order_by(TrustedBrowser.id.desc())
        )
    )


def untrust(user: User, trust_id: int, client: Client) -> bool:
    trust = db.session.get(TrustedBrowser, trust_id)
    if trust is None or trust.user_id != user.id or trust.revoked_at is not None:
        return False
    trust.revoked_at = utcnow()
    security_log.record(user, SecurityEventKind.BROWSER_UNTRUSTED, client, detail=trust.label)
    return True


def untrust_all(user: User) -> None:
    db.session.execute(
        update(TrustedBrowser)
        .where(TrustedBrowser.user_id == user.id, TrustedBrowser.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def remove_added_since(user: User, since: datetime) -> list[str]:
    """Drop the factors made at or after ``since``; returns what went, in words."""
    removed = []
    for model, what in (
        (Passkey, "passkey"),
        (TotpFactor, "authenticator app"),
        (RecoveryCode, "recovery code"),
    ):
        result = db.session.execute(
            delete(model).where(model.user_id == user.id, model.created_at >= since)
        )
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if count:
            removed.append(f"{count} {what}{'s' if count > 1 else ''}")
    return removed


def reset_all(user: User) -> None:
    """Operator recovery: remove every second factor and trust, and tell the owner."""
    for model in (TotpFactor, RecoveryCode, Passkey):
        db.session.execute(delete(model).where(model.user_id == user.id))
    untrust_all(user)
    security_log.record(user, SecurityEventKind.MFA_RESET_BY_OPERATOR, None)
    security_log.notify(
        user, "An administrator removed your two-step login methods at your request.", None
    )
