"""`flask maintenance run`: periodic clean-up, safe to run as often as you like."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.models import utcnow
from app.worker import maintenance as maintenance_service

maintenance = AppGroup("maintenance", help="Periodic clean-up jobs.")


@maintenance.command("run")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-8601",
    help="Act as if it were this moment (UTC), to rehearse retention on a copy of the data.",
)
def run(now_text: str | None) -> None:
    """Expired sessions and links, lapsed username holds, accounts past their deletion grace
    period, old IP addresses, expired data exports, orphaned files and moderators' blocks
    whose time is up: everything with a time limit, idempotently.

    `flask worker` runs this every ten minutes; this is for a timer, cron or a rehearsal.
    """
    click.echo(maintenance_service.run(_moment(now_text)).summary())


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter("use an ISO 8601 time such as 2027-01-31T12:00:00Z") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
