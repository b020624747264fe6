"""Profiles: name, bio, website, avatar, and the privacy settings and preferences that go
with them."""

from __future__ import annotations

from typing import IO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from app.core import deferred_work
from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import Audience, Photo, Post, User, Visibility
from app.services.accounts.identifiers import canonical_username
from app.services.content import access, social, text
from app.services.errors import FormError
from app.services.media import account_media, images
from app.services.media.media_storage import media_storage, new_key

MAX_BIO = 150
MAX_DISPLAY_NAME = 50
MAX_WEBSITE = 200


def _website(raw: str) -> str:
    url = text.clean(raw, multiline=False)
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    invalid = FormError("Enter a web address like https://example.org.", "website")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as error:  # "https://[x.org": an unclosed IPv6 bracket
        raise invalid from error
    if parts.scheme not in ("http", "https") or not hostname or "." not in hostname:
        raise invalid
    if parts.username or parts.password:
        raise FormError("Leave out any user name or password in the address.", "website")
    if len(url) > MAX_WEBSITE:
        raise FormError(f"Use a web address of at most {MAX_WEBSITE} characters.", "website")
    return url


def update(user: User, display_name: str, bio: str, website: str) -> None:
    display_name = text.clean(display_name, multiline=False)
    bio = text.clean(bio)
    if len(display_name) > MAX_DISPLAY_NAME:
        raise FormError(f"Use at most {MAX_DISPLAY_NAME} characters.", "display_name")
    if len(bio) > MAX_BIO:
        raise FormError(f"Keep your bio under {MAX_BIO} characters.", "bio")
    user.website = _website(website)
    user.display_name = display_name
    user.bio = bio
    db.session.flush()


def set_avatar(user: User, data: IO[bytes]) -> None:
    """Replace the avatar; the old files go once the change has committed.

    Public unless the account, read under its lock just before the files are written,
    was deleted or blocked while the upload was being processed.
    """
    config = current_app.config
    image = images.process_avatar(
        data, max_pixels=config["IMAGE_MAX_PIXELS"], max_bytes=config["MAX_PHOTO_BYTES"]
    )
    user = account_media.lock(user)
    storage = media_storage()
    key = new_key()
    storage.save(key, image.variants, public=user.account_active)
    after_rollback(lambda: storage.delete(key))
    remove_avatar(user)
    user.avatar_key = key
    db.session.flush()


def remove_avatar(user: User) -> None:
    old = user.avatar_key
    if old is None:
        return
    user.avatar_key = None
    db.session.flush()
    after_commit(lambda: media_storage().delete(old))


def update_privacy(
    user: User,
    *,
    is_private: bool,
    hide_follow_lists: bool,
    comment_audience: Audience,
    mention_audience: Audience,
) -> None:
    """Going private hides the photos at once; going public lets waiting requests in.

    The account's row is locked first, so an upload racing the switch either commits
    before it (and its photos are moved with the rest) or reads the new setting.
    """
    user = account_media.lock(user)
    was_private = user.is_private
    user.is_private = is_private
    user.hide_follow_lists = hide_follow_lists
    user.comment_audience = comment_audience
    user.mention_audience = mention_audience
    db.session.flush()
    if is_private == was_private:
        return
    if is_private:
        # The private area is always safe: files there are served only after a check.
        keys = db.session.scalars(
            select(Photo.storage_key)
            .join(Post, Post.id == Photo.post_id)
            .where(Post.author_id == user.id, Post.visibility == Visibility.PUBLIC)
        )
        media_storage().move(keys, public=False)
        deferred_work.publish_media_after_rollback(user.id)
    else:
        social.approve_all(user)
        account_media.publish_when_committed(user)


def update_preferences(user: User, *, remind_alt_text: bool, show_sensitive_media: bool) -> None:
    """How the site behaves for this person: the reminder to describe photos, and whether
    posts marked sensitive show their photos at once."""
    user.remind_alt_text = remind_alt_text
    user.show_sensitive_media = show_sensitive_media
    db.session.flush()


def avatar_owner(key: str) -> User | None:
    """The account whose avatar is stored under ``key``."""
    # users.avatar_key has no index: only avatars in the private area are looked up.
    return db.session.scalar(select(User).where(User.avatar_key == key).limit(1))


def find(viewer: User | None, username: str, *, check_blocks: bool = True) -> User | None:
    """The account behind ``/@username``; unverified and blocked ones don't exist for others.

    A caller that learns about blocks another way (the profile page, from
    ``social.relationship``) passes ``check_blocks=False`` and checks them itself.
    """
    if len(username) > 60:
        return None
    user = db.session.scalar(select(User).where(User.username == canonical_username(username)))
    return _if_seen(viewer, user, check_blocks=check_blocks)


MAX_USER_ID = 2**31 - 1


def find_by_id(viewer: User | None, user_id: int, *, check_blocks: bool = True) -> User | None:
    """The account with this id, by the same rules as ``find`` (the API names accounts by id)."""
    if not 0 < user_id <= MAX_USER_ID:  # users.id is a 32-bit integer; the URL allows more
        return None
    return _if_seen(viewer, db.session.get(User, user_id), check_blocks=check_blocks)


def _if_seen(viewer: User | None, user: User | None, *, check_blocks: bool) -> User | None:
    if user is None:
        return None
    if viewer is not None and viewer.id == user.id:
        return user
    if not user.is_verified or not user.account_active:
        return None
    if check_blocks and not access.can_see_account(viewer, user):
        return None
    return user
