"""Writing to the security timeline."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import SecurityEvent, SecurityEventKind, User
from app.services.operations import mailer
from app.services.security.clients import Client


def record(user: User, kind: SecurityEventKind, client: Client | None, detail: str = "") -> None:
    db.session.add(
        SecurityEvent(
            user_id=user.id,
            kind=kind,
            ip=client.ip if client else None,
            device_label=client.device_label if client else "Server",
            detail=detail[:200],
        )
    )


def timeline(
    user: User, *, before: int | None = None, limit: int = 50
) -> tuple[list[SecurityEvent], int | None]:
    """Newest first, a page at a time (keyset on id); returns the page and the next cursor."""
    query = select(SecurityEvent).where(SecurityEvent.user_id == user.id)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    rows = list(db.session.scalars(query.order_by(SecurityEvent.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


def notify(user: User, change: str, client: Client | None) -> None:
    """Email the owner about a change to how they sign in."""
    mailer.queue(
        user.email,
        "factor_changed",
        "Your Sapling sign-in settings changed",
        user=user,
        change=change,
        client=client,
        security_url=mailer.link("settings.security"),
    )
