"""Sample view-models for the component gallery: realistic, and safe to show anyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.forms.gallery import SampleForm
from app.views.assets import asset_url
from app.views.navigation import NavItem


@dataclass(frozen=True)
class SampleProfile:
    username: str
    display_name: str
    avatar_url: str
    url: str = "#"
    bio: str = ""
    post_count: int = 0
    follower_count: int = 0
    following_count: int = 0


@dataclass(frozen=True)
class SamplePhoto:
    url: str
    alt: str
    width: int = 1080
    height: int = 1080
    href: str = "#"


@dataclass(frozen=True)
class SamplePost:
    id: int
    author: SampleProfile
    caption: str
    created_at: datetime
    created_label: str
    photos: list[SamplePhoto] = field(default_factory=list)
    like_count: int = 0
    comment_count: int = 0


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

_PHOTO_ALTS = [
    "A fern unrolling in morning light",
    "Pine saplings on a misty hillside",
    "A seed pod split open on dark soil",
    "Moss on a granite boulder after rain",
    "A young oak leaf backlit by the sun",
    "Dew on a spider web between grass stems",
]


def form_sample(theme: str) -> SampleForm:
    """A read-only copy of the sample form per theme, showing a hint and an error."""
    form = SampleForm(prefix=theme, formdata=None, meta={"csrf": False}, display_name="Juniper")
    form.email.errors = ["Enter an email address like name@example.org."]
    return form


def gallery_context() -> dict[str, Any]:
    photos = [
        SamplePhoto(url=asset_url(f"img/samples/sample-{n}.svg"), alt=alt)
        for n, alt in enumerate(_PHOTO_ALTS, start=1)
    ]
    profile = SampleProfile(
        username="juniper.woods",
        display_name="Juniper Woods",
        avatar_url=asset_url("img/samples/avatar.svg"),
        bio="Forest walks, slow mornings, small green things.",
        post_count=128,
        follower_count=342,
        following_count=97,
    )
    post = SamplePost(
        id=1,
        author=profile,
        caption="First fronds of the season. #ferns #spring",
        created_at=datetime(2026, 4, 12, 8, 30, tzinfo=UTC),
        created_label="12 Apr",
        photos=photos[:3],
        like_count=24,
        comment_count=3,
    )
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
        "sample_post": post,
        "sample_photos": photos,
        "sample_nav": nav,
        "form_samples": {theme: form_sample(theme) for theme in ("light", "dark")},
    }
