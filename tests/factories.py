"""Test data made through the same services the app uses."""

from __future__ import annotations

import io
import itertools
import os
import re
import tempfile
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from PIL import Image

from app.extensions import db
from app.models import Post, User, Visibility, utcnow
from app.services.accounts import registration
from app.services.content import posts, social
from app.services.media import images

# What the factory stores as a video's rendition: MP4-looking bytes, for the rules about
# who may fetch it (transcoding itself: test_video_pipeline.py, test_video_posts.py).
RENDITION = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(256 * 1024)

PASSWORD = "mossy granite under pines"
_numbers = itertools.count(1)


def create_user(
    app: Flask,
    username: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    *,
    verified: bool = True,
    admin: bool = False,
) -> User:
    """A committed account (inside the test's rolled-back transaction)."""
    number = next(_numbers)
    username = username or f"member{number}"
    email = email or f"{username}@example.org"
    with app.app_context():
        username, email, email_key = registration.validated_identity(username, email, password)
        user = registration.create_user(username, email, email_key, password, is_admin=admin)
        if verified:
            user.email_verified_at = utcnow()
        db.session.commit()
        db.session.expunge(user)
    return user


def link_from(message: EmailMessage, path_prefix: str) -> str:
    """The path of the first link in a mail's text part that starts with ``path_prefix``."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]*)", text)
    assert match, f"no {path_prefix} link in: {text}"
    return match.group(1)


def jpeg_bytes(
    width: int = 64, height: int = 48, colour: tuple[int, int, int] = (46, 125, 79)
) -> bytes:
    """A small, valid JPEG made on the spot."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def create_post(
    app: Flask,
    author: User,
    caption: str = "",
    *,
    photos: int = 1,
    visibility: Visibility = Visibility.PUBLIC,
    comments_enabled: bool = True,
    content_warning: str | None = None,
    video: bytes | None = None,
) -> Post:
    """A committed post with generated photos, made by the posting service; marked
    sensitive when ``content_warning`` is given (an empty one too). ``video``: a last item
    that is a video with these bytes as its rendition (``RENDITION``, say), stored as
    the worker stores a transcoded one."""
    with app.test_request_context(), tempfile.TemporaryDirectory() as work:
        fresh_author = db.session.get(User, author.id)
        assert fresh_author is not None
        media = [
            posts.Media(
                images.process_photo(io.BytesIO(jpeg_bytes()), max_pixels=10**6), f"Photo {n + 1}"
            )
            for n in range(photos)
        ]
        if video is not None:
            rendition = Path(work) / "large.mp4"
            rendition.write_bytes(video)
            poster = images.process_photo(io.BytesIO(jpeg_bytes(64, 36)), max_pixels=10**6)
            media.append(
                posts.Media(poster, "A video", videos={"video": rendition}, duration_ms=2000)
            )
        post = posts.publish(
            fresh_author,
            media,
            caption,
            visibility=visibility,
            comments_enabled=comments_enabled,
            sensitive=content_warning is not None,
            content_warning=content_warning or "",
        )
        db.session.commit()
        post_id = post.id
        loaded = posts.visible(fresh_author, post_id)
        assert loaded is not None
        db.session.expunge_all()
    return loaded


def follow(app: Flask, follower: User, followee: User) -> None:
    """An accepted follow, even of a private account (as if the request was approved)."""
    with app.test_request_context():
        first, second = db.session.get(User, follower.id), db.session.get(User, followee.id)
        assert first is not None and second is not None
        social.follow(first, second)
        if second.is_private:
            social.approve(second, first)
        db.session.commit()


def block(app: Flask, blocker: User, blocked: User) -> None:
    with app.test_request_context():
        first, second = db.session.get(User, blocker.id), db.session.get(User, blocked.id)
        assert first is not None and second is not None
        social.block(first, second)
        db.session.commit()


def make_private(app: Flask, user: User) -> None:
    with app.test_request_context():
        account = db.session.get(User, user.id)
        assert account is not None
        account.is_private = True
        db.session.commit()
