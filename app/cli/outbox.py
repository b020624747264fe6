"""`flask outbox send`: deliver queued email, once or as a worker loop."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.extensions import db
from app.services import mailer

outbox = AppGroup("outbox", help="Deliver the queued email.")


@outbox.command("send")
@click.option("--loop", is_flag=True, help="Keep running: a worker process.")
@click.option(
    "--interval", default=10.0, show_default=True, help="Seconds between rounds with --loop."
)
def send(loop: bool, interval: float) -> None:
    """Send every message that is due; failures are retried later with backoff."""
    while True:
        sent, failed = mailer.deliver()
        db.session.commit()
        if sent or failed or not loop:
            click.echo(f"Sent {sent}, failed {failed}.")
        if not loop:
            return
        if not sent:
            time.sleep(interval)
