"""Units of work that follow a committed one: each is its own transaction, committed here.

A service registers them through core/deferred_work.py (create_app hands them to it, as
core imports no worker), so that the same code sends a request's email, answers its
password-reset asks and publishes an account's files in a request, a CLI command and
the worker. The services they call only flush.
"""

from __future__ import annotations

from app.extensions import db
from app.services.accounts import password_resets
from app.services.media import account_media
from app.services.operations import mailer


def deliver_queued() -> None:
    """Send what this unit of work queued, once its transaction has committed.

    Each message is committed as sent before the next is taken (see mailer.Courier):
    delivery is at least once, and a crash re-sends at most the one in flight.
    """
    ids = db.session.info.pop("outbox_ids", [])
    if ids:
        with mailer.Courier(ids) as courier:
            while courier.send_next() is not None:
                db.session.commit()
        db.session.commit()  # ends the transaction of the last look


def handle_queued() -> None:
    """Handle what this request asked, once it has committed; the email goes after that commit."""
    ids = db.session.info.pop("reset_request_ids", [])
    if ids:
        password_resets.handle(ids)
        db.session.commit()


def publish_and_commit(user_id: int) -> None:
    """``account_media.publish`` in a transaction of its own, for after the request's has ended."""
    try:
        account_media.publish(user_id)
        db.session.commit()
    except Exception:
        db.session.rollback()  # the files stay private: served after the check, never exposed
        raise
