"""`flask maintenance run`: periodic clean-up, safe to run as often as you like."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import delete

from app.extensions import db
from app.models import ActionToken, UsernameHold, utcnow
from app.services import media_sweep, sessions

maintenance = AppGroup("maintenance", help="Periodic clean-up jobs.")


@maintenance.command("run")
def run() -> None:
    """Delete expired sessions, used or expired links, lapsed username holds, orphaned files."""
    now = utcnow()
    purged_sessions = sessions.purge_expired(now)
    purged_tokens = db.session.execute(
        delete(ActionToken).where(
            (ActionToken.expires_at <= now) | ActionToken.used_at.is_not(None)
        )
    ).rowcount  # type: ignore[attr-defined]
    released = db.session.execute(
        delete(UsernameHold).where(UsernameHold.held_until <= now)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    orphans = media_sweep.sweep_orphans(now)
    click.echo(
        f"Removed {purged_sessions} sessions, {purged_tokens} links, {released} username holds, "
        f"{orphans} orphaned media files."
    )
