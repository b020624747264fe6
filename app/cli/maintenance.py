"""`flask maintenance run`: periodic clean-up, safe to run as often as you like."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import utcnow
from app.services import maintenance as maintenance_service

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
    click.echo(maintenance_service.run(now).summary())


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter("use an ISO 8601 time such as 2027-01-31T12:00:00Z") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
