"""Sample view-models for the component gallery: realistic, and safe to show anyone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.views.assets import asset_url
from app.views.instance import Figure, FigureGroup
from app.views.navigation import NavItem
from app.views.posts import PhotoView, PostView, ProfileView, frame_shape
from app.views.text import rich_text

PALETTE = [
    ("bg", "Background"),
    ("surface", "Surface"),
    ("text", "Text"),
    ("muted", "Muted text"),
    ("primary", "Primary"),
    ("accent", "Accent"),
    ("danger", "Danger"),
    ("focus", "Focus ring"),
]

# Sample 6's blurred preview, as the upload pipeline makes one (images.placeholder).
_SAMPLE_6_PREVIEW = (
    "data:image/webp;base64,"
    "UklGRjgAAABXRUJQVlA4ICwAAADQAQCdASoQABAAAsBMJQAAXOvph5m9AAD+78M99GzI2V84GCz/Ox1rMIAAAA=="
)

_PHOTO_ALTS = [
    "A fern unrolling in morning light",
    "Pine saplings on a misty hillside",
    "A seed pod split open on dark soil",
    "Moss on a granite boulder after rain",
    "A young oak leaf backlit by the sun",
    "Dew on a spider web between grass stems",
]


# name, width, height (as stored: 4:3, 4:5, 3:1), alt
_SHAPED = [
    ("landscape", 1080, 810, "A lake below blue hills, in landscape"),
    ("portrait", 1080, 1350, "A lone pine on a meadow, in portrait"),
    ("panorama", 1080, 360, "A ridge of brown hills from end to end, in a panorama"),
]


def gallery_context() -> dict[str, Any]:
    """Everything the gallery shows but its forms, which the controller builds."""
    photos = [
        PhotoView(
            url=asset_url(f"img/samples/sample-{n}.svg"),
            thumb_url=asset_url(f"img/samples/sample-{n}.svg"),
            width=1080,
            height=1080,
            alt=alt,
            href="#",
        )
        for n, alt in enumerate(_PHOTO_ALTS, start=1)
    ]
    # Tiles of posts with several photos carry a marker.
    photos[1] = replace(photos[1], post_photo_count=3)
    photos[4] = replace(photos[4], post_photo_count=10)
    # A sensitive post's tile: covered, with its reason.
    photos[5] = replace(
        photos[5], covered=True, content_warning="Spiders", placeholder_url=_SAMPLE_6_PREVIEW
    )
    shaped = [
        PhotoView(
            url=asset_url(f"img/samples/sample-{name}.svg"),
            thumb_url=asset_url(f"img/samples/sample-{name}.svg"),
            width=width,
            height=height,
            alt=alt,
            href="#",
        )
        for name, width, height, alt in _SHAPED
    ]
    profile = ProfileView(
        id=1,
        username="juniper.woods",
        display_name="Juniper Woods",
        avatar_url=asset_url("img/samples/avatar.svg"),
        url="#",
        bio="Forest walks, slow mornings, small green things.",
        website="",
        is_private=False,
        post_count=128,
        follower_count=342,
        following_count=97,
    )
    caption = "First fronds of the season. #ferns #spring"
    posts = {
        theme: PostView(
            id=number,
            url="#",
            author=profile,
            caption=caption,
            caption_html=rich_text(caption),
            created_at=datetime(2026, 4, 12, 8, 30, tzinfo=UTC),
            created_label="12 Apr",
            edited_at=datetime(2026, 4, 12, 9, 5, tzinfo=UTC),
            edited_label="12 Apr 2026, 09:05 UTC",
            followers_only=theme == "dark",
            comments_enabled=True,
            photos=photos[:3],
            like_count=24,
            comment_count=3,
            liked=theme == "dark",
        )
        for number, theme in enumerate(("light", "dark"), start=1)
    }
    # The same post with photos of three shapes, in each theme: the frame takes the first's.
    carousels = {
        theme: replace(
            posts[theme], id=number, photos=[*shaped, photos[0]], caption="", followers_only=False
        )
        for number, theme in enumerate(("light", "dark"), start=3)
    }
    # A post its author marked sensitive: covered until "Show".
    sensitive = {
        theme: replace(
            posts[theme],
            id=number,
            photos=[replace(photos[5], placeholder_url=_SAMPLE_6_PREVIEW)],
            caption="",
            followers_only=False,
            sensitive=True,
            content_warning="Spiders",
            covered=True,
        )
        for number, theme in enumerate(("light", "dark"), start=5)
    }
    nav = [
        NavItem("Home", "#", "home", current=True),
        NavItem("Explore", "#", "explore"),
        NavItem("New post", "#", "add"),
        NavItem("Activity", "#", "bell", badge=3),
        NavItem("Profile", "#", "user"),
    ]
    return {
        "palette": PALETTE,
        "sample_profile": profile,
        "sample_posts": posts,
        "sample_carousels": carousels,
        "sample_sensitive": sensitive,
        "sample_shapes": [(photo, frame_shape(photo.width, photo.height)) for photo in shaped],
        "sample_photos": photos,
        "sample_nav": nav,
        "sample_tags": ["ferns", "fernweh", "fieldnotes"],
        "sample_figures": {
            theme: FigureGroup(
                f"{theme}-sample-figures",
                f"Accounts ({theme} theme sample)",
                [
                    Figure("Accounts", "1,204"),
                    Figure("Reports waiting", "3", href="#"),
                    Figure("Photos and avatars", "18.4 GB", "92,310 files"),
                ],
                lead="Measured by the maintenance run of 02 Dec 2026, 20:40 UTC.",
            )
            for theme in ("light", "dark")
        },
    }
