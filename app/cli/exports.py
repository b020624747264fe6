"""`flask exports build`: build the data exports people asked for, once or as a worker loop."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.models import ExportStatus
from app.services import exports

data_exports = AppGroup("exports", help="Build the copies of their data that people asked for.")


@data_exports.command("build")
@click.option("--loop", is_flag=True, help="Keep running: a worker process.")
@click.option(
    "--interval", default=10.0, show_default=True, help="Seconds to wait when nothing is waiting."
)
def build(loop: bool, interval: float) -> None:
    """Build every waiting export, one at a time; several workers may run at once."""
    while True:
        outcomes = []
        while outcome := exports.build_next():
            outcomes.append(outcome)
        if outcomes or not loop:
            failed = outcomes.count(ExportStatus.FAILED)
            click.echo(f"Built {len(outcomes) - failed}, failed {failed}.")
        if not loop:
            return
        time.sleep(interval)
