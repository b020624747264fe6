"""Which area an account's files live in follows the account: hidden with it, back with it.

nginx serves the public area without asking the app, so a page answering 404
is not enough: while an account waits for deletion or is blocked by a moderator,
none of its files may stay there. ``hide`` moves them all (its posts' photos and
its avatar) to the private area, where the media route checks ``access`` first,
before the change commits, so they are unreachable from the moment it does.
``publish`` runs once the account is active again and that has committed; it
moves back what the account's state says is public now: its avatar, and the
photos of its public posts unless the account is private. So a private account
gets back its avatar only, and nothing that was private before becomes public.

Each of them, like an upload (``posts.create``, ``profiles.set_avatar``) and a
privacy switch, first takes the account's row lock (``lock``) and decides from
what it reads under it. Whichever commits first, the other then sees its
outcome: a photo uploaded while its account goes private, is deleted or is
blocked never lands in the public area.

Files go in the request, not in the worker: a flag nginx could check would mean
asking the app for every public file. ``MediaStorage.move`` makes that a rename
per photo and one fsync per fan-out folder (1 to 4 s for 10,000 photos on a
busy test VM). A crash between the move and the commit leaves files private
for an active account: they are then served after the check, never exposed.
"""

from __future__ import annotations

from sqlalchemy import select

from app.core import deferred_work
from app.extensions import db
from app.models import Photo, Post, User, Visibility
from app.services.media.media_storage import media_storage


def lock(user: User) -> User:
    """``user`` re-read under its row lock (SELECT … FOR NO KEY UPDATE), held until the
    transaction ends. Pending changes are flushed first, so they are kept; the same object
    comes back when ``user`` is in the session."""
    locked = _locked(user.id)
    if locked is None:
        raise LookupError(f"User {user.id} no longer exists.")
    return locked


def _locked(user_id: int) -> User | None:
    # FOR NO KEY UPDATE, the lock an UPDATE of the row takes: other rows referring to the
    # account (a like, a follow, a mention) never wait for it, so no deadlock can form.
    query = select(User).where(User.id == user_id).with_for_update(key_share=True)
    return db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def photos_public(post: Post, author: User) -> bool:
    """Whether a post's photos belong in the public area (``author`` read under ``lock``)."""
    return post.has_public_audience(author) and author.account_active


def hide(user: User) -> None:
    """Before the change that makes ``user`` inactive (a deletion request, a block): move every
    file of the account out of the public area now, and back if the change rolls back."""
    user = lock(user)
    if not user.account_active:
        return  # already hidden: a blocked account removed by a moderator, say
    keys = list(
        db.session.scalars(
            select(Photo.storage_key)
            .join(Post, Post.id == Photo.post_id)
            .where(Post.author_id == user.id)
        )
    )
    if user.avatar_key:
        keys.append(user.avatar_key)
    media_storage().move(keys, public=False)
    deferred_work.publish_media_after_rollback(user.id)


def publish_when_committed(user: User) -> None:
    """After the change that makes ``user`` active again (restore, unblock, a block's time up)."""
    deferred_work.publish_media_after_commit(user.id)


def publish(user_id: int) -> int:
    """Move into the public area what the account's state says is public; returns how many
    keys moved. Nothing for an account that is inactive or gone. The caller commits."""
    user = _locked(user_id)
    if user is None or not user.account_active:
        return 0
    keys = [user.avatar_key] if user.avatar_key else []
    if not user.is_private:
        keys += db.session.scalars(
            select(Photo.storage_key)
            .join(Post, Post.id == Photo.post_id)
            .where(Post.author_id == user.id, Post.visibility == Visibility.PUBLIC)
        )
    return len(media_storage().move(keys, public=True))
