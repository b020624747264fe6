"""Photos, videos and avatars, with the same access check as the pages that show them.

Files of posts anyone may see live in the public area, which nginx (or the
bucket) serves by itself in production. Everything else is private: the app
checks that the viewer may see the post, then the storage hands the file over
(streamed by nginx behind it). A guessed or leaked URL of a private photo is a
404 to anyone else.
Avatars are public, except while their account is deleted or blocked
(``account_media``): then only moderators, who review such accounts, get them.
"""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from app.controllers.support.authentication import viewer as current_viewer
from app.services.accounts import profiles
from app.services.content import access, posts
from app.services.media.images import AVATAR_VARIANTS, PHOTO_VARIANTS
from app.services.media.media_storage import PUBLIC_CACHE, Located, media_storage
from app.services.media.videos import VIDEO_VARIANTS

bp = Blueprint("media", __name__, url_prefix="/media")

PRIVATE_CACHE = "private, max-age=600"


@bp.get("/<key>/<variant>.webp")
def file(key: str, variant: str) -> Response:
    if variant not in PHOTO_VARIANTS + AVATAR_VARIANTS:
        abort(404)
    try:
        located = media_storage().locate(key, variant)
    except ValueError:
        abort(404)
    if located is None:
        abort(404)
    if not located.public and not _may_see(key, avatar=variant in AVATAR_VARIANTS):
        abort(404)
    return send_media(located, PUBLIC_CACHE if located.public else PRIVATE_CACHE)


@bp.get("/<key>/<variant>.mp4")
def video(key: str, variant: str) -> Response:
    """A video's rendition, by the same rules as its poster's photo sizes. Range requests
    (a seek) are answered 206 here, and by nginx for the X-Accel-Redirect."""
    if variant not in VIDEO_VARIANTS:
        abort(404)
    try:
        located = media_storage().locate(key, variant)
    except ValueError:
        abort(404)
    if located is None or (not located.public and not _may_see(key, avatar=False)):
        abort(404)
    return send_media(located, PUBLIC_CACHE if located.public else PRIVATE_CACHE)


def _may_see(key: str, *, avatar: bool) -> bool:
    """Whether the viewer may see a private file: a photo of a post they may see, or an
    avatar of an active account (left private by a crash or an unlifted block), or any
    avatar for a moderator."""
    viewer = current_viewer()
    if avatar:  # users.avatar_key has no index: only avatars in the private area get here
        owner = profiles.avatar_owner(key)
        return owner is not None and (owner.account_active or bool(viewer and viewer.is_admin))
    photos = posts.photos_stored_as(key)
    return any(access.can_view_post(viewer, p.post, p.post.author) for p in photos)


def send_media(located: Located, cache_control: str) -> Response:
    """Hand a checked file over, the way the storage does it (media_storage.py)."""
    response = media_storage().send(located, cache_control=cache_control)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
