"""Blurred previews for photos stored before previews existed.

New photos get theirs when they are processed (``images.placeholder``). Older ones of
sensitive posts, the only ones a preview is shown for, get one from the maintenance run:
made from the stored "medium" file, a WebP this app wrote, so no upload is read again.
Until then their cover is the plain soft tile it always was.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Photo, Post
from app.services.media import images
from app.services.media.media_storage import media_storage, read

BATCH = 200


def backfill(after_id: int = 0, limit: int = BATCH) -> tuple[int, int | None]:
    """Previews for up to ``limit`` photos of sensitive posts past ``after_id`` that have none.

    Returns how many were made and the id to go on after (None when none are left). A photo
    whose file is gone keeps "" and is passed over, so it never holds up the rest.
    """
    batch: Sequence[Photo] = db.session.scalars(
        select(Photo)
        .join(Post, Post.id == Photo.post_id)
        .where(Post.sensitive, Photo.placeholder == "", Photo.id > after_id)
        .order_by(Photo.id)
        .limit(limit)
    ).all()
    storage = media_storage()
    made = 0
    for photo in batch:
        medium = read(storage, photo.storage_key, "medium")
        if medium is None:
            continue
        with Image.open(BytesIO(medium)) as image:
            photo.placeholder = images.placeholder(image)
        made += bool(photo.placeholder)
    db.session.flush()
    return made, (batch[-1].id if len(batch) == limit else None)
