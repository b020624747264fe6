"""Running imports, one committed post at a time (services/privacy/imports.py flushes)."""

from __future__ import annotations

import logging
from datetime import datetime

from app.extensions import db
from app.models import ImportStatus, utcnow
from app.services.privacy import imports
from app.services.privacy.archives import ArchiveRefused
from app.worker.scheduler import StopCheck

log = logging.getLogger(__name__)


def import_next(should_stop: StopCheck, now: datetime | None = None) -> ImportStatus | None:
    """Run one waiting import to its end: DONE or FAILED; None if nothing was waiting, or
    the worker was asked to stop (the import is then taken up again, where it was, once
    its heartbeat is stale).

    The claim commits first, so other workers pass over it; then the archive is read and
    checked, and the total commits; then each post commits with its count; the outcome
    (and its email) is the last commit.
    """
    import_id = imports.claim_next(now or utcnow())
    if import_id is None:
        db.session.rollback()  # ends the read (and SQLite's write lock)
        return None
    db.session.commit()
    try:
        with imports.prepare(import_id) as plan:
            db.session.commit()  # the total, for the progress shown on the page
            if plan is None:
                return None  # the account was purged: its archive goes with the strays
            while imports.import_one(import_id, plan, beat=lambda: _beat(import_id)):
                db.session.commit()
                if should_stop():
                    return None
    except ArchiveRefused as refusal:
        db.session.rollback()
        return _finished(import_id, refusal.message)
    except Exception:
        log.exception("Import %s failed", import_id)
        db.session.rollback()
        return _finished(
            import_id,
            "Something went wrong while importing. What was imported before it stays; "
            "please upload the archive again to import the rest.",
        )
    db.session.rollback()
    return _finished(import_id, "")


def _beat(import_id: int) -> None:
    """Before a video's transcode: the heartbeat, committed (nothing of the post in hand is
    written yet: its files are stored, and it is flushed, only once every item is ready)."""
    imports.heartbeat(import_id)
    db.session.commit()


def _finished(import_id: int, error: str) -> ImportStatus | None:
    status = imports.finish(import_id, error=error)
    db.session.commit()
    return status
