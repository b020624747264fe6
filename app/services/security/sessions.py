"""Server-side login sessions: created at login, checked on every request, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import KnownDevice, SecurityEventKind, User, UserSession, utcnow
from app.services.api import oauth
from app.services.security import security_log
from app.services.security.clients import Client
from app.services.security.digests import digest, new_secret


def start_session(
    user: User, client: Client, *, remember: bool, second_factor: bool = False
) -> tuple[UserSession, str]:
    """A new session; returns it with the raw id for the cookie (never stored).

    ``second_factor``: the login included a code or a passkey, not only a password.
    """
    now = utcnow()
    raw = new_secret()
    config = current_app.config
    lifetime = config["SESSION_REMEMBER_LIFETIME"] if remember else config["SESSION_IDLE_TIMEOUT"]
    session = UserSession(
        token_hash=digest(raw),
        user=user,
        epoch=user.session_epoch,
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        second_factor_at=now if second_factor else None,
        ip=client.ip,
        device_label=client.device_label,
    )
    db.session.add(session)
    db.session.flush()
    return session, raw


def session_from_token(raw: str | None) -> UserSession | None:
    """The live session behind a cookie value: not revoked, not expired, epoch current."""
    if not raw or len(raw) > 100:
        return None
    session = db.session.scalar(select(UserSession).where(UserSession.token_hash == digest(raw)))
    if session is None or session.revoked_at is not None:
        return None
    if session.expires_at <= utcnow() or session.epoch != session.user.session_epoch:
        return None
    return session


def touch(session: UserSession) -> None:
    """Note activity at most every few minutes; idle sessions slide their expiry forward."""
    now = utcnow()
    if now - session.last_seen_at < current_app.config["SESSION_TOUCH_INTERVAL"]:
        return
    session.last_seen_at = now
    if not session.remember:
        session.expires_at = now + current_app.config["SESSION_IDLE_TIMEOUT"]


def active_sessions(user: User) -> list[UserSession]:
    now = utcnow()
    query = (
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            UserSession.epoch == user.session_epoch,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return list(db.session.scalars(query))


def revoke(session: UserSession, client: Client | None, *, logout: bool = False) -> None:
    session.revoked_at = utcnow()
    kind = SecurityEventKind.LOGGED_OUT if logout else SecurityEventKind.SESSION_REVOKED
    security_log.record(session.user, kind, client, detail=session.device_label)


def revoke_user_session(user: User, session_id: int, client: Client) -> bool:
    """Sign out one of the user's own sessions; False if there is no such live session."""
    session = db.session.get(UserSession, session_id)
    if session is None or session.user_id != user.id or session.revoked_at is not None:
        return False
    revoke(session, client)
    return True


def revoke_others(user: User, keep: UserSession | None, client: Client | None) -> int:
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    count = db.session.execute(query.values(revoked_at=utcnow())).rowcount  # type: ignore[attr-defined]
    if count:
        security_log.record(
            user, SecurityEventKind.SESSION_REVOKED, client, detail=f"{count} other session(s)"
        )
    return int(count)


def end_all_sessions(user: User) -> None:
    """Rotate the epoch: every existing session of this user stops working at once, and so
    does every token an app holds for them."""
    user.session_epoch = new_secret()
    oauth.revoke_all(user)
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def forget_devices_first_seen_since(user: User, since: datetime) -> None:
    """Browsers first seen after ``since`` count as new again (and alert on their next login)."""
    db.session.execute(
        delete(KnownDevice).where(
            KnownDevice.user_id == user.id, KnownDevice.first_seen_at >= since
        )
    )


def purge_expired(
    now: datetime | None = None, *, keep_revoked_for: timedelta = timedelta(days=1)
) -> int:
    """Delete sessions that can never be used again (for `flask maintenance run`)."""
    now = now or utcnow()
    result = db.session.execute(
        delete(UserSession).where(
            or_(UserSession.expires_at <= now, UserSession.revoked_at <= now - keep_revoked_for)
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def remember_device(user: User, client: Client) -> tuple[bool, str]:
    """Record the browser's device id; returns (was it new to this account, the id to set)."""
    device_id = client.device_id or new_secret()
    device_hash = digest(device_id)
    known = db.session.scalar(
        select(KnownDevice).where(
            KnownDevice.user_id == user.id, KnownDevice.device_hash == device_hash
        )
    )
    if known is not None:
        known.last_seen_at = utcnow()
        return False, device_id
    try:
        with db.session.begin_nested():
            db.session.add(
                KnownDevice(user_id=user.id, device_hash=device_hash, label=client.device_label)
            )
    except IntegrityError:
        return False, device_id  # the same browser, logging in twice at once
    return True, device_id


def restart_for_browser(
    user: User, client: Client, *, remember: bool
) -> tuple[UserSession, str, str]:
    """After a credential change ended every session: a fresh one for the browser that made it."""
    session, raw = start_session(user, client, remember=remember)
    _, device_id = remember_device(user, client)
    return session, raw, device_id


def is_fresh(session: UserSession, *, second_factor: bool = False) -> bool:
    """Did the person prove who they are within the re-authentication window?

    With ``second_factor``, only a proof that included a code or a passkey counts.
    """
    window: timedelta = current_app.config["REAUTH_WINDOW"]
    proved = session.second_factor_at if second_factor else session.authenticated_at
    return proved is not None and utcnow() - proved <= window


def mark_fresh(session: UserSession, client: Client, *, second_factor: bool = False) -> None:
    now = utcnow()
    session.authenticated_at = now
    if second_factor:
        session.second_factor_at = now
    security_log.record(session.user, SecurityEventKind.REAUTHENTICATED, client)
