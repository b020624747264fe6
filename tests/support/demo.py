"""A small, known cast of accounts and posts for the browser tests and `make screenshots`.

Fern posts in public (one post for followers only), Hazel's account is private,
and the member follows Fern. Page paths in tests/browser/pages.py name these
accounts, and ``{post}`` / ``{own_post}`` / ``{carousel_post}`` (Fern's post of four photos
of three shapes) / ``{sensitive_post}`` (Fern's oldest, marked sensitive) / ``{video_post}``
(Fern's video) / ``{pending_post}`` and ``{failed_post}`` (the member's posts waiting for, and
refused after, their videos' processing) stand for the ids made here.
"""

from __future__ import annotations

import io
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    NotificationKind,
    OAuthToken,
    PendingPost,
    PendingStatus,
    Post,
    User,
    Visibility,
    utcnow,
)
from app.services.api import oauth
from app.services.content import interactions, notifications, posts
from app.services.security.digests import digest, new_secret
from tests.factories import RENDITION, create_user, follow, make_private

PALETTES = [
    ((198, 226, 208), (46, 125, 79), (23, 61, 40)),
    ((240, 222, 196), (224, 176, 122), (122, 79, 36)),
    ((214, 228, 240), (111, 160, 196), (38, 70, 102)),
    ((232, 236, 220), (140, 170, 90), (60, 90, 40)),
]


def photo(seed: int, size: tuple[int, int] = (1080, 1080)) -> bytes:
    """A soft landscape of gradient sky, hills and a sun: pleasant, and made here."""
    rng = random.Random(seed)
    sky, hill, ground = PALETTES[seed % len(PALETTES)]
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):
        shade = tuple(int(c * (0.85 + 0.15 * y / (height / 2))) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    sun = rng.randint(width // 5, 4 * width // 5)
    draw.ellipse([sun - 70, 140, sun + 70, 280], fill=(250, 240, 210))
    for layer, colour in enumerate((hill, ground)):
        base = height // 2 + layer * height // 6
        points = [(0, height)]
        for x in range(0, width + 60, 60):
            points.append((x, base + rng.randint(-40, 40)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def populate(
    app: Flask, member: str, friend: str = "fern.live", private: str = "hazel.live"
) -> dict[str, int]:
    """Create the cast (the member account must exist); returns the ids page paths use."""
    with app.app_context():
        member_user = db.session.scalar(select(User).where(User.username == member))
    assert member_user is not None
    fern = create_user(app, friend)
    hazel = create_user(app, private)
    make_private(app, hazel)
    follow(app, member_user, fern)
    captions = [
        "Morning light on the ridge #hills #morning",
        "Moss after the rain, soft as a carpet #moss",
        "The old path through the valley #walks",
    ]
    # Made first, so it is Fern's oldest post: covered behind "Show" (``{sensitive_post}``).
    sensitive_id = _post(
        app,
        fern,
        "A visitor at the window",
        5,
        alt="A spider in its web",
        content_warning="Spiders",
    )
    made = []
    for number, caption in enumerate(captions):
        made.append(_post(app, fern, caption, number, alt="Rolling green hills under a pale sky"))
    _post(app, fern, "Just for friends: the cabin #moss", 7, visibility=Visibility.FOLLOWERS)
    # Photos of other shapes: a post of four (4:3 first, so a 4:3 frame), and a panorama.
    carousel_id = _post(
        app,
        fern,
        "Four views from one walk #walks",
        [
            (11, (1600, 1200), "A wide valley at noon"),
            (12, (1080, 1350), "A tall hill above the path"),
            (13, (1800, 600), "The whole ridge from end to end"),
            (14, (1080, 1080), "A clearing in the wood"),
        ],
    )
    _post(app, fern, "The ridge, end to end #hills", [(15, (2400, 800), "A long ridge at dusk")])
    _post(app, hazel, "Quiet corner #moss", 9)
    video_id = _video_post(app, fern, "Rain on the pond, with sound #walks", 17)
    pending_id, failed_id = _pending_posts(app, member_user)
    client_id = _app_with_access(app, member_user)
    own_id = _post(app, member_user, "My first photo here #moss", 3, alt="A sunlit meadow")
    with app.app_context():  # the post pages show: its caption was edited after posting
        db.session.execute(update(Post).where(Post.id == made[-1]).values(edited_at=utcnow()))
        db.session.commit()
    with app.test_request_context():
        liker = db.session.get(User, fern.id)
        target = posts.visible(liker, own_id)
        assert liker is not None and target is not None
        interactions.like(liker, target)
        interactions.add_comment(liker, target, "Welcome, @" + member + "!")
        # A moderators' notice on the member's Activity page (no one named, no link).
        notifications.from_moderators(
            member_user.id,
            NotificationKind.COMMENT_REMOVED,
            "Links to a shop: comments are for talking about the photos.",
            "Great shots! Prints of mine are half price this week at my shop",
        )
        db.session.commit()
    return {
        "post": made[-1],
        "own_post": own_id,
        "carousel_post": carousel_id,
        "sensitive_post": sensitive_id,
        "video_post": video_id,
        "pending_post": pending_id,
        "failed_post": failed_id,
        "oauth_client": client_id,  # type: ignore[dict-item]  # (a string: a URL's client_id)
    }


def _app_with_access(app: Flask, member: User) -> str:
    """An app the member let in (on the Devices page); its client id, for the consent page."""
    with app.test_request_context():
        registered, _ = oauth.register(
            "Fernbook", "https://fernbook.example/callback", "read write follow",
            "https://fernbook.example",
        )  # fmt: skip
        now = utcnow()
        db.session.add(
            OAuthToken(
                app_id=registered.id, user_id=member.id, access_digest=digest(new_secret()),
                refresh_digest=digest(new_secret()), scope="read write",
                access_expires_at=now + timedelta(days=1),
                refresh_expires_at=now + timedelta(days=60), last_used_at=now,
            )
        )  # fmt: skip
        db.session.commit()
        return registered.client_id


def _video_post(app: Flask, author: User, caption: str, seed: int) -> int:
    """A post of one 16:9 video, stored as the worker stores a transcoded one: its poster
    through the photo pipeline, and ``RENDITION`` standing for the MP4 (the pages show
    the poster; playing a real one is tests/browser/test_video_posts.py's)."""
    with app.test_request_context(), tempfile.TemporaryDirectory() as work:
        account = db.session.get(User, author.id)
        assert account is not None
        rendition = Path(work) / "large.mp4"
        rendition.write_bytes(RENDITION)
        poster = posts.processed_photo(io.BytesIO(photo(seed, (1280, 720))))
        media = posts.Media(poster, "Rain falling on a still pond", {"video": rendition}, 12_000)
        post = posts.publish(account, [media], caption)
        db.session.commit()
        return post.id


def _pending_posts(app: Flask, member: User) -> tuple[int, int]:
    """The member's post still waiting for the worker, and one whose video it refused."""
    draft = {"caption": "", "visibility": "public", "items": [], "attempts": 0}
    with app.app_context():
        waiting = PendingPost(author_id=member.id, status=PendingStatus.WAITING, draft=draft)
        failed = PendingPost(
            author_id=member.id,
            status=PendingStatus.FAILED,
            draft=draft,
            error="This video is damaged or incomplete. Try exporting it again.",
            finished_at=utcnow(),
        )
        db.session.add_all([waiting, failed])
        db.session.commit()
        return waiting.id, failed.id


def _post(
    app: Flask,
    author: User,
    caption: str,
    seed: int | list[tuple[int, tuple[int, int], str]],
    *,
    alt: str = "A landscape of hills",
    visibility: Visibility = Visibility.PUBLIC,
    content_warning: str = "",
) -> int:
    """A post of one square photo (``seed``), or of (seed, size, alt) photos."""
    shots = [(seed, (1080, 1080), alt)] if isinstance(seed, int) else seed
    with app.test_request_context():
        account = db.session.get(User, author.id)
        assert account is not None
        post = posts.create(
            account,
            [posts.Upload(io.BytesIO(photo(n, size)), text) for n, size, text in shots],
            caption,
            visibility=visibility,
            sensitive=bool(content_warning),
            content_warning=content_warning,
        )
        db.session.commit()
        return post.id
