"""After-commit and after-rollback work that is a unit of work of its own.

Services register it here (services may import core, never the worker); the units
themselves live at the worker's edge, app/worker/after_commit.py, because they commit.
That module is imported only when a unit is registered, never when core is imported:
it imports services, which import core, so a module-level import would be a cycle
and would make core depend on services.
"""

from __future__ import annotations

from functools import partial
from types import ModuleType

from app.core.database import after_commit, after_rollback


def send_queued_mail() -> None:
    """Send the email this unit of work queued once it has committed."""
    units = _units()
    after_commit(units.deliver_queued)  # the same function each time: registered once


def answer_reset_asks() -> None:
    """Answer this unit of work's forgot-password asks once it has committed."""
    units = _units()
    after_commit(units.handle_queued)


def publish_media_after_commit(user_id: int) -> None:
    """Move the account's public files back into the public area once this commits."""
    units = _units()
    after_commit(partial(units.publish_and_commit, user_id))


def publish_media_after_rollback(user_id: int) -> None:
    """Move back the files hidden for a change that did not commit."""
    units = _units()
    after_rollback(partial(units.publish_and_commit, user_id))


def _units() -> ModuleType:
    from app.worker import after_commit  # noqa: PLC0415 (core never imports services at start)

    return after_commit
