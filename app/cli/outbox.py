"""`flask outbox send`: deliver the queued email once (the worker does it on a schedule)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.worker.jobs import deliver_mail, handle_password_resets

outbox = AppGroup("outbox", help="Deliver the queued email.")


@outbox.command("send")
def send() -> None:
    """Send every message that is due; failures are retried later with backoff.

    Waiting password-reset requests are answered first, and their links sent with them.
    `flask worker` does this every few seconds; this is for a one-off run.
    """
    resets = handle_password_resets(lambda: False)
    if resets:
        click.echo(f"Password resets: {resets}")
    click.echo(deliver_mail(lambda: False) or "Sent 0, failed 0.")
