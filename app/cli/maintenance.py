"""`flask maintenance run`: periodic clean-up, safe to run as often as you like."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import click
from flask.cli import AppGroup
from sqlalchemy import delete

from app.extensions import db
from app.models import ActionToken, UsernameHold, utcnow
from app.services import exports, media_sweep, moderation, purge, retention, sessions

log = logging.getLogger(__name__)

maintenance = AppGroup("maintenance", help="Periodic clean-up jobs.")


@maintenance.command("run")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-8601",
    help="Act as if it were this moment (UTC), to rehearse retention on a copy of the data.",
)
@click.option("--loop", is_flag=True, help="Keep running, every --every minutes (a worker).")
@click.option("--every", "minutes", type=click.IntRange(1, 1440), default=10, show_default=True)
@click.option("--max-runs", type=click.IntRange(1), help="With --loop: stop after this many runs.")
def run(now_text: str | None, loop: bool, minutes: int, max_runs: int | None) -> None:
    """Expired sessions and links, lapsed username holds, accounts past their deletion grace
    period, old IP addresses, expired data exports, orphaned files and moderators' blocks
    whose time is up: everything with a time limit, idempotently.
    """
    if not loop:
        _run_once(_moment(now_text))
        return
    runs = 0
    while max_runs is None or runs < max_runs:
        if runs:
            time.sleep(minutes * 60)
        runs += 1
        try:
            _run_once(_moment(now_text))
        except Exception:  # the database restarting, say: log it, and try again next time
            db.session.rollback()
            log.exception("Maintenance run failed; trying again in %s minutes", minutes)


def _run_once(now: datetime) -> None:
    purged_sessions = sessions.purge_expired(now)
    purged_tokens = db.session.execute(
        delete(ActionToken).where(
            (ActionToken.expires_at <= now) | ActionToken.used_at.is_not(None)
        )
    ).rowcount  # type: ignore[attr-defined]
    released = db.session.execute(
        delete(UsernameHold).where(UsernameHold.held_until <= now)
    ).rowcount  # type: ignore[attr-defined]
    truncated, dropped = retention.age_ips(now)
    sent_mail = retention.purge_sent_mail(now)
    lifted = moderation.lift_expired_blocks(now)
    expired_exports = exports.purge_expired(now)
    db.session.commit()
    # One account per transaction: a crash leaves the others done and this one due again.
    purged = 0
    for user_id in purge.due(now):
        purged += purge.purge_account(user_id, now)
        db.session.commit()
    orphans = media_sweep.sweep_orphans(now)
    click.echo(
        f"Removed {purged_sessions} sessions, {purged_tokens} links, {released} username holds, "
        f"{purged} deleted accounts, {sent_mail} sent emails, {orphans} orphaned media files, "
        f"{expired_exports} expired exports; "
        f"truncated {truncated} and dropped {dropped} IP addresses; "
        f"lifted {lifted} expired blocks."
    )


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter("use an ISO 8601 time such as 2027-01-31T12:00:00Z") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
