"""After-commit and after-rollback work that is a unit of work of its own.

Services register it here (services may import core, never the worker); the units
themselves live at the worker's edge, app/worker/after_commit.py, because they commit.
That module is imported only when a unit is registered, never when core is imported:
it imports services, which import core, so a module-level import would be a cycle
and would make core depend on services.
"""

from __future__ import annotations

from functools import partial

from app.core.database import after_commit, after_rollback

# The imports of app.worker below are inside the functions on purpose (ruff's PLC0415 is
# waived for this file in pyproject.toml): see the module's docstring.


def send_queued_mail() -> None:
    """Send the email this unit of work queued once it has committed."""
    from app.worker.after_commit import deliver_queued

    after_commit(deliver_queued)  # the same function each time: registered once


def answer_reset_asks() -> None:
    """Answer this unit of work's forgot-password asks once it has committed."""
    from app.worker.after_commit import handle_queued

    after_commit(handle_queued)


def publish_media_after_commit(user_id: int) -> None:
    """Move the account's public files back into the public area once this commits."""
    from app.worker.after_commit import publish_and_commit

    after_commit(partial(publish_and_commit, user_id))


def publish_media_after_rollback(user_id: int) -> None:
    """Move back the files hidden for a change that did not commit."""
    from app.worker.after_commit import publish_and_commit

    after_rollback(partial(publish_and_commit, user_id))
