"""`flask exports build`: build the waiting data exports once (the worker does it on a schedule)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.worker.jobs import build_exports

data_exports = AppGroup("exports", help="Build the copies of their data that people asked for.")


@data_exports.command("build")
def build() -> None:
    """Build every waiting export, one at a time; several may run at once.

    `flask worker` does this every few seconds; this is for a one-off run.
    """
    click.echo(build_exports(lambda: False) or "Built 0, failed 0.")
