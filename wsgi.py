"""The WSGI entry point: ``gunicorn wsgi:app``. Also found by the ``flask`` command."""

import os

import click
from flask import Flask

from app import create_app
from app.config import ConfigError

LOCAL_HINT = 'In a checkout that `make run` serves, run commands as: make flask ARGS="users list"'


def _create() -> Flask:
    try:
        return create_app()
    except ConfigError as refusal:
        if click.get_current_context(silent=True) is None:
            raise  # gunicorn, or an import: the log gets the traceback with the message
        # The `flask` command: an operator's setting, said in one message, not a traceback.
        hint = "" if os.environ.get("SAPLING_ENV") else f"\n{LOCAL_HINT}"
        raise click.ClickException(f"{refusal}{hint}") from None


app = _create()
