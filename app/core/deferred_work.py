"""After-commit and after-rollback work that is a unit of work of its own.

Services register it here (services may import core, never the worker); the units
themselves live at the worker's edge, app/worker/after_commit.py, because they commit.
Core cannot import them (the worker imports services, which import core), so
``create_app``, the composition root, hands them to ``install_deferred_work`` and these
functions find them on the current app. The same app serves requests, CLI commands and
the worker, so all three behave alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app

from app.core.database import after_commit, after_rollback


@dataclass(frozen=True)
class DeferredUnits:
    """The worker's units that services ask for (app/worker/after_commit.py)."""

    deliver_queued: Callable[[], None]
    handle_queued: Callable[[], None]
    publish_and_commit: Callable[[int], None]


def install_deferred_work(app: Flask, units: DeferredUnits) -> None:
    app.extensions["sapling_deferred_units"] = units


def _units() -> DeferredUnits:
    units: DeferredUnits = current_app.extensions["sapling_deferred_units"]
    return units


def send_queued_mail() -> None:
    """Send the email this unit of work queued once it has committed."""
    after_commit(_units().deliver_queued)  # the same function each time: registered once


def answer_reset_asks() -> None:
    """Answer this unit of work's forgot-password asks once it has committed."""
    after_commit(_units().handle_queued)


def publish_media_after_commit(user_id: int) -> None:
    """Move the account's public files back into the public area once this commits."""
    after_commit(partial(_units().publish_and_commit, user_id))


def publish_media_after_rollback(user_id: int) -> None:
    """Move back the files hidden for a change that did not commit."""
    after_rollback(partial(_units().publish_and_commit, user_id))
