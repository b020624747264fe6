"""Finding media files that no row refers to, and removing them.

Uploads write files before their rows commit. A request that fails removes its
files at once; a process that dies between the two cannot, and neither can one
that dies after deleting a post but before deleting its files. This sweep,
run by ``flask maintenance run``, removes such leftovers once they are older
than a grace period, so an upload still in flight is never touched.

Crashes never expose anything: files may sit in the private area when their
post is public (they are then served after a check), never the other way round.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import select

from app.extensions import db
from app.models import Photo, User
from app.services.media.media_storage import media_storage

GRACE = timedelta(hours=1)
BATCH = 500


def sweep_orphans(now: datetime, grace: timedelta = GRACE) -> int:
    """Delete stored keys older than ``grace`` that no photo or avatar uses; returns how many."""
    storage = media_storage()
    cutoff = (now - grace).timestamp()
    old_keys = (key for key, newest in storage.stored_keys() if newest < cutoff)
    removed = 0
    while batch := list(islice(old_keys, BATCH)):
        used = set(
            db.session.scalars(select(Photo.storage_key).where(Photo.storage_key.in_(batch)))
        )
        used |= {
            key
            for key in db.session.scalars(select(User.avatar_key).where(User.avatar_key.in_(batch)))
            if key
        }
        for key in set(batch) - used:
            storage.delete(key)
            removed += 1
    return removed
