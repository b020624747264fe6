"""Posts waiting for their videos, one committed outcome at a time
(services/content/pending_posts.py flushes)."""

from __future__ import annotations

import logging
from datetime import datetime

from app.extensions import db
from app.models import PendingStatus, utcnow
from app.services.content import pending_posts

log = logging.getLogger(__name__)


def process_next(now: datetime | None = None) -> PendingStatus | None:
    """Transcode the next waiting post's videos and make the post: DONE or FAILED; None if
    nothing was waiting.

    The claim commits first, so other workers pass over it; the post and its outcome
    commit together, so a worker killed mid-transcode leaves the claim to go stale and
    be taken up again (``pending_posts.STALE_AFTER``), never a post made twice.
    """
    pending_id = pending_posts.claim_next(now or utcnow())
    db.session.commit()  # the claim, or the end of the look (and SQLite's write lock)
    if pending_id is None:
        return None
    try:
        status = pending_posts.process(pending_id)
        db.session.commit()
    except Exception:
        log.exception("Pending post %s failed", pending_id)
        db.session.rollback()
        pending_posts.fail_unexpectedly(pending_id)
        db.session.commit()
        return PendingStatus.FAILED
    return status
