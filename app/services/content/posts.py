"""Posts: publish with photos (and videos, through ``pending_posts``), edit, delete, and
fetch one for a viewer.

Files and rows stay consistent. Every photo is validated and re-encoded before
anything is written; files are written before the rows are flushed, and removed
again if the request's transaction rolls back. Whether they go to the public
area is decided from the author's row locked just before they are written
(``account_media.lock``), so an account that went private, was deleted or was
blocked while a large upload was being processed never gets a public photo.
Deleted posts lose their files once the deletion has committed. Anything a
crash leaves behind is swept by ``flask maintenance run``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from app.core import deferred_work
from app.core.database import after_commit, after_rollback
from app.extensions import db
from app.models import (
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_CONTENT_WARNING,
    MAX_PHOTOS,
    Hashtag,
    MediaKind,
    Photo,
    PhotoShape,
    Post,
    PostHashtag,
    User,
    Visibility,
    utcnow,
)
from app.services.content import access, home_timelines, notifications, text
from app.services.errors import FormError
from app.services.media import account_media, images
from app.services.media.media_storage import media_storage, new_key
from app.services.sql import adjust_counters, delete_returning, insert_ignoring_duplicates


@dataclass(frozen=True)
class Upload:
    stream: IO[bytes]
    alt_text: str = ""


@dataclass(frozen=True)
class Media:
    """One item ready to store: a photo's sizes; for a video, its poster frame's sizes and
    its renditions' files (by storage variant) with their length."""

    image: images.ProcessedImage
    alt_text: str = ""
    videos: Mapping[str, Path] = field(default_factory=dict)
    duration_ms: int | None = None


def photos_named(positions: Mapping[int, str], noun: str = "Photo") -> str:
    """'Photo 2', 'Photos 2 and 4', 'Photos 1, 3 and 5': counted from 1, as the form shows."""
    numbers = [str(position + 1) for position in sorted(positions)]
    if len(numbers) == 1:
        return f"{noun} {numbers[0]}"
    return f"{noun}s {', '.join(numbers[:-1])} and {numbers[-1]}"


def check_count(count: int) -> None:
    if not count:
        raise FormError("Choose at least one photo.", "photos")
    if count > MAX_PHOTOS:
        raise FormError(f"A post can have up to {MAX_PHOTOS} photos and videos.", "photos")


def check_text(caption: str, alts: Sequence[str]) -> tuple[str, list[str]]:
    caption = text.clean(caption)
    if len(caption) > MAX_CAPTION:
        raise FormError(f"Keep the caption under {MAX_CAPTION:,} characters.", "caption")
    cleaned = [text.clean(alt, multiline=False) for alt in alts]
    too_long = {
        position: f"Keep this description under {MAX_ALT_TEXT:,} characters."
        for position, alt in enumerate(cleaned)
        if len(alt) > MAX_ALT_TEXT
    }
    if too_long:
        message = f"Keep each description under {MAX_ALT_TEXT:,} characters"
        raise FormError(f"{message} ({photos_named(too_long)}).", "photos", too_long)
    return caption, cleaned


def check_warning(sensitive: bool, content_warning: str) -> tuple[bool, str]:
    """The sensitive mark and its reason, cleaned like a description; a reason marks the
    post sensitive even if the box was left unticked (a warning over uncovered photos
    would warn of nothing)."""
    reason = text.clean(content_warning, multiline=False)
    if len(reason) > MAX_CONTENT_WARNING:
        raise FormError(
            f"Keep the reason under {MAX_CONTENT_WARNING:,} characters.", "content_warning"
        )
    return sensitive or bool(reason), reason


def processed_photo(
    stream: IO[bytes], shape: PhotoShape = PhotoShape.ORIGINAL
) -> images.ProcessedImage:
    """One photo through the pipeline, with the instance's limits; ImageRejected says why not."""
    config = current_app.config
    return images.process_photo(
        stream,
        max_pixels=config["IMAGE_MAX_PIXELS"],
        max_bytes=config["MAX_PHOTO_BYTES"],
        square=shape == PhotoShape.SQUARE,
    )


def _process_all(uploads: Sequence[Upload], shape: PhotoShape) -> list[images.ProcessedImage]:
    """Every photo processed, or a refusal naming each one that cannot be used."""
    processed, refused = [], {}
    for position, upload in enumerate(uploads):
        try:
            processed.append(processed_photo(upload.stream, shape))
        except images.ImageRejected as error:
            refused[position] = error.message
    if refused:
        raise FormError(f"{photos_named(refused)} can't be used: see below.", "photos", refused)
    return processed


def _store(variants: Mapping[str, bytes | Path], *, public: bool) -> str:
    storage = media_storage()
    key = new_key()
    storage.save(key, variants, public=public)
    after_rollback(lambda: storage.delete(key))
    return key


def create(
    author: User,
    uploads: Sequence[Upload],
    caption: str,
    *,
    visibility: Visibility = Visibility.PUBLIC,
    comments_enabled: bool = True,
    shape: PhotoShape = PhotoShape.ORIGINAL,
    sensitive: bool = False,
    content_warning: str = "",
    created_at: datetime | None = None,
    announce: bool = True,
) -> Post:
    """A new post of photos, decoded, stripped and re-encoded here (``publish`` says the
    rest). Every photo must pass before any file is written."""
    check_count(len(uploads))
    caption, alts = check_text(caption, [upload.alt_text for upload in uploads])
    check_warning(sensitive, content_warning)
    processed = _process_all(uploads, shape)
    return publish(
        author,
        [Media(image, alt) for image, alt in zip(processed, alts, strict=True)],
        caption,
        visibility=visibility,
        comments_enabled=comments_enabled,
        sensitive=sensitive,
        content_warning=content_warning,
        created_at=created_at,
        announce=announce,
    )


def publish(
    author: User,
    media: Sequence[Media],
    caption: str,
    *,
    visibility: Visibility = Visibility.PUBLIC,
    comments_enabled: bool = True,
    sensitive: bool = False,
    content_warning: str = "",
    created_at: datetime | None = None,
    announce: bool = True,
) -> Post:
    """A new post of media already processed (``create``, or a pending post's videos once
    the worker has transcoded them). An import passes the post's original
    ``created_at``, and ``announce`` off: nobody its old caption @names is notified (the
    names were Instagram's, or another instance's), and the author's own timeline is not
    pushed to at each of hundreds of posts; the worker's fan-out still brings them to
    followers who may see them, like any post."""
    check_count(len(media))
    caption, alts = check_text(caption, [item.alt_text for item in media])
    sensitive, content_warning = check_warning(sensitive, content_warning)
    post = Post(
        author_id=author.id,
        caption=caption,
        visibility=visibility,
        comments_enabled=comments_enabled,
        sensitive=sensitive,
        content_warning=content_warning,
        like_count=0,
        comment_count=0,
        created_at=created_at or utcnow(),
    )
    author = account_media.lock(author)  # held to the commit: see account_media
    public = account_media.photos_public(post, author)
    for position, (item, alt) in enumerate(zip(media, alts, strict=True)):
        key = _store({**item.image.variants, **item.videos}, public=public)
        post.photos.append(
            Photo(
                position=position,
                storage_key=key,
                alt_text=alt,
                width=item.image.width,
                height=item.image.height,
                placeholder=item.image.placeholder,
                kind=MediaKind.VIDEO if item.videos else MediaKind.PHOTO,
                duration_ms=item.duration_ms,
                has_small=len(item.videos) > 1,
            )
        )
    db.session.add(post)
    db.session.flush()
    adjust_counters(User, author.id, post_count=1, **_audience_counts(visibility))
    _tag(post, text.hashtags(caption))
    if announce:
        notifications.mention(post, author, author, text.mentions(caption))
        home_timelines.posted(post.id, author.id, reaches_followers=post.reaches_followers)
    return post


def _audience_counts(visibility: Visibility, sign: int = 1) -> dict[str, int]:
    """What a post of this visibility adds to its author's counters of the posts others
    may see (``shared_post_count``) and of the public ones (``public_post_count``)."""
    return {
        "shared_post_count": sign * int(visibility != Visibility.ONLY_ME),
        "public_post_count": sign * int(visibility == Visibility.PUBLIC),
    }


def _tag(post: Post, names: set[str]) -> None:
    db.session.execute(delete(PostHashtag).where(PostHashtag.post_id == post.id))
    for name in sorted(names):
        insert_ignoring_duplicates(Hashtag, name=name)
    if names:
        tag_ids = db.session.scalars(select(Hashtag.id).where(Hashtag.name.in_(names)))
        db.session.add_all(PostHashtag(hashtag_id=tag_id, post_id=post.id) for tag_id in tag_ids)
    db.session.flush()


def edit(
    actor: User,
    post: Post,
    caption: str,
    alt_texts: Mapping[int, str],
    *,
    sensitive: bool = False,
    content_warning: str = "",
    visibility: Visibility | None = None,
) -> None:
    """Change the caption, the photos' descriptions, the sensitive mark and who sees the
    post (``visibility``, None to keep it); only the author may.

    The post is marked edited (``edited_at``, shown as "Edited") only when something a
    viewer sees changed: saving the form unchanged is not an edit, and neither is changing
    who sees it (what they see is the same).
    """
    if post.author_id != actor.id:
        raise PermissionError("Only the author can edit a post.")
    before = text.mentions(post.caption)
    photos = {photo.id: photo for photo in post.photos}
    caption, alts = check_text(caption, list(alt_texts.values()))
    sensitive, content_warning = check_warning(sensitive, content_warning)
    changed = (sensitive, content_warning) != (post.sensitive, post.content_warning)
    post.sensitive, post.content_warning = sensitive, content_warning
    for photo_id, alt in zip(alt_texts, alts, strict=True):
        if photo_id in photos and photos[photo_id].alt_text != alt:
            photos[photo_id].alt_text = alt
            changed = True
    if caption != post.caption:
        post.caption = caption
        _tag(post, text.hashtags(caption))
        notifications.mention(post, post.author, actor, text.mentions(caption) - before)
        changed = True
    if changed:
        post.edited_at = utcnow()
    if visibility is not None and visibility != post.visibility:
        _change_visibility(post, visibility)
    db.session.flush()


def _change_visibility(post: Post, visibility: Visibility) -> None:
    """Who sees the post changes; its files follow, and its author's counters.

    Decided under the author's row lock, as an upload is (``account_media``). Files leaving
    the public area go now, before the change commits (and come back if it rolls back);
    files entering it go only once it has committed, so neither a rollback nor a crash
    leaves a file public that should not be.
    """
    author = account_media.lock(post.author)
    was_public = account_media.photos_public(post, author)
    was_shared = post.reaches_followers
    before, after = _audience_counts(post.visibility, -1), _audience_counts(visibility)
    adjust_counters(User, author.id, **{name: before[name] + after[name] for name in after})
    post.visibility = visibility
    now_public = account_media.photos_public(post, author)
    if was_public and not now_public:
        media_storage().move([photo.storage_key for photo in post.photos], public=False)
        deferred_work.publish_media_after_rollback(author.id)
    elif now_public and not was_public:
        deferred_work.publish_media_after_commit(author.id)
    if post.reaches_followers and not was_shared:
        home_timelines.shared_again(author.id)


def delete_post(actor: User, post: Post) -> None:
    """The author (or a moderator) deletes a post; its files go once that has committed."""
    if post.author_id != actor.id and not actor.is_admin:
        raise PermissionError("Only the author can delete a post.")
    keys = [photo.storage_key for photo in post.photos]
    author_id, counts = post.author_id, _audience_counts(post.visibility, -1)
    if delete_returning(Post, Post.id == post.id):
        adjust_counters(User, author_id, post_count=-1, **counts)
        after_commit(lambda: remove_unused_files(keys))


def remove_unused_files(keys: Sequence[str]) -> None:
    """Delete the files of keys no photo refers to any more (demo data shares keys)."""
    still_used = set(
        db.session.scalars(select(Photo.storage_key).where(Photo.storage_key.in_(keys)))
    )
    storage = media_storage()
    for key in set(keys) - still_used:
        storage.delete(key)


def photos_stored_as(key: str) -> list[Photo]:
    """Photos whose files are stored under ``key``, with their posts and authors loaded.

    Demo data shares keys between posts, so there may be several: at most 20 are read.
    """
    return list(
        db.session.scalars(
            select(Photo)
            .where(Photo.storage_key == key)
            .options(selectinload(Photo.post).selectinload(Post.author))
            .limit(20)
        )
    )


def visible(viewer: User | None, post_id: int) -> Post | None:
    """The post with its author and photos, or None if it does not exist for this viewer."""
    # One statement: the post joined to its author and its (at most ten) photos.
    query = select(Post).where(Post.id == post_id)
    post = (
        db.session.scalars(query.options(joinedload(Post.photos), joinedload(Post.author)))
        .unique()
        .one_or_none()
    )
    if post is None or not access.can_view_post(viewer, post, post.author):
        return None
    return post
