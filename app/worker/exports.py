"""Building data exports, one committed step at a time (services/privacy/exports.py flushes)."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import ExportStatus, utcnow
from app.services.privacy import exports


def build_next(now: datetime | None = None) -> ExportStatus | None:
    """Build one waiting export: READY or FAILED, or None if nothing was waiting.

    Three transactions: the claim commits before the long build begins, so the other
    workers see it and pass over the export; the build reads in short transactions of
    its own; the outcome (and its email) is the last commit.
    """
    while True:
        claimed = exports.claim_next(now or utcnow())
        if claimed is None:
            db.session.rollback()  # ends the read (and SQLite's write lock)
            return None
        db.session.commit()
        # The build reads in pages; ending each page's read is the edge's call.
        built = exports.build(*claimed, end_read=db.session.rollback)
        if built is None:  # the account was purged meanwhile: take the next one
            continue
        db.session.rollback()  # the outcome is recorded on rows read afresh
        status = exports.record(claimed[0], built)
        if status is None:
            db.session.rollback()
            continue
        # A worker has no request whose timing could give anything away: the commit sends
        # at once, and what fails to send waits in the outbox for the worker's next round.
        db.session.commit()
        return status
