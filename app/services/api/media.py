"""Photos an app uploads before it posts them, as Mastodon's two steps have it: ``POST
/api/v2/media`` (the photo, its description), then ``POST /api/v1/statuses`` naming it.

The upload goes through the photo pipeline at once (decoded, stripped, re-encoded), so a
refusal comes with the upload, in words. Its sizes wait in ``MEDIA_ROOT/incoming/api/``,
outside both media areas and never served, until a status takes them: then
``posts.publish`` stores them like any post's photos, in the area its audience calls for.
Uploads no status took are removed a day later (``purge_unused``).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import delete

from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import MAX_ALT_TEXT, MAX_PHOTOS, ApiMedia, User
from app.services.content import pending_posts, posts, text
from app.services.errors import FormError
from app.services.media import images

KEEP_UNUSED = timedelta(days=1)


def folder() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "incoming" / "api"


def _description(raw: str) -> str:
    cleaned = text.clean(raw or "", multiline=False)
    if len(cleaned) > MAX_ALT_TEXT:
        raise FormError(f"Keep the description under {MAX_ALT_TEXT:,} characters.", "description")
    return cleaned


def upload(user: User, stream: IO[bytes], description: str) -> ApiMedia:
    """The photo processed and kept for a status (flushed); FormError says why not."""
    alt = _description(description)
    if pending_posts.is_video(stream):
        raise FormError("Videos can be shared from the website for now, not through apps.", "file")
    image = posts.processed_photo(stream)
    root = folder()
    root.mkdir(parents=True, exist_ok=True)
    target = root / secrets.token_hex(16)
    target.mkdir(mode=0o700)
    try:
        for name, data in image.variants.items():
            (target / f"{name}.webp").write_bytes(data)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    after_rollback(lambda: shutil.rmtree(target, ignore_errors=True))
    media = ApiMedia(
        user_id=user.id,
        folder=target.name,
        width=image.width,
        height=image.height,
        placeholder=image.placeholder,
        description=alt,
    )
    db.session.add(media)
    db.session.flush()
    return media


def own(user: User, media_id: int) -> ApiMedia | None:
    media = db.session.get(ApiMedia, media_id)
    return media if media is not None and media.user_id == user.id else None


def describe(user: User, media_id: int, description: str) -> ApiMedia | None:
    media = own(user, media_id)
    if media is not None:
        media.description = _description(description)
        db.session.flush()
    return media


def taken(user: User, media_ids: Sequence[int]) -> list[posts.Media]:
    """The uploads a status names, in its order, ready for ``posts.publish``; their rows and
    folders go once the status commits. FormError if one is unknown or someone else's."""
    if len(media_ids) > MAX_PHOTOS:
        raise FormError(f"A post can have up to {MAX_PHOTOS} photos.", "media_ids")
    found = []
    for media_id in media_ids:
        media = own(user, media_id)
        if media is None:
            raise FormError("A media id is unknown, or not yours.", "media_ids")
        path = folder() / media.folder
        variants = {name: (path / f"{name}.webp").read_bytes() for name in images.PHOTO_VARIANTS}
        image = images.ProcessedImage(variants, media.width, media.height, media.placeholder)
        found.append(posts.Media(image, media.description))
        db.session.delete(media)
        after_commit(lambda path=path: shutil.rmtree(path, ignore_errors=True))  # type: ignore[misc]
    db.session.flush()
    return found


def purge_unused(now: datetime) -> int:
    """Remove uploads no status took within a day (flushed); how many went."""
    old = list(
        db.session.execute(
            delete(ApiMedia)
            .where(ApiMedia.created_at <= now - KEEP_UNUSED)
            .returning(ApiMedia.folder)
        ).scalars()
    )
    root = folder()
    for name in old:  # once the deletion has committed: a rollback keeps row and files
        after_commit(lambda path=root / name: shutil.rmtree(path, ignore_errors=True))  # type: ignore[misc]
    return len(old)
