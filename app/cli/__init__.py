"""`flask` command groups for operators (and `flask dev` for developers). They call the same
services as the web."""

from __future__ import annotations

from flask import Flask

from app.cli.dev import dev
from app.cli.exports import data_exports
from app.cli.instance import instance
from app.cli.maintenance import maintenance
from app.cli.media import media
from app.cli.outbox import outbox
from app.cli.security import security
from app.cli.users import users
from app.worker.command import worker


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(instance)
    app.cli.add_command(outbox)
    app.cli.add_command(data_exports)
    app.cli.add_command(maintenance)
    app.cli.add_command(media)
    app.cli.add_command(security)
    app.cli.add_command(worker)
    app.cli.add_command(dev)
