"""View-models for posts and profiles: what a template needs, computed once, no queries."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from flask import current_app, url_for
from markupsafe import Markup

from app.models import Comment, Photo, Post, User, Visibility, utcnow
from app.views.assets import asset_url
from app.views.filters import datetime_label, relative_label
from app.views.text import rich_text


class ViewerMarks(Protocol):
    """What the viewer did to a page of posts, as the controller got it from the service
    (``interactions.ViewerState``): the ids of the posts they liked and saved."""

    @property
    def liked(self) -> Collection[int]: ...

    @property
    def saved(self) -> Collection[int]: ...


@dataclass(frozen=True)
class ProfileView:
    id: int
    username: str
    display_name: str
    avatar_url: str
    url: str
    bio: str
    website: str
    is_private: bool
    post_count: int
    follower_count: int
    following_count: int


# A post's photos share one frame, shaped like its first photo within Instagram's bounds:
# from 1.91:1 landscape to 4:5 portrait. Inside it every photo is shown whole (letterboxed
# when its own shape differs), so a 3:1 panorama keeps its edges in a 1.91:1 frame.
WIDEST_FRAME = (191, 100)
TALLEST_FRAME = (4, 5)


def frame_shape(width: int, height: int) -> tuple[int, int]:
    """The frame's width and height (a ratio, used as an SVG viewBox that sizes it)."""
    if width <= 0 or height <= 0:
        return (1, 1)
    if width * WIDEST_FRAME[1] > height * WIDEST_FRAME[0]:
        return WIDEST_FRAME
    if width * TALLEST_FRAME[1] < height * TALLEST_FRAME[0]:
        return TALLEST_FRAME
    return (width, height)


@dataclass(frozen=True)
class PhotoView:
    url: str  # the "display" variant: the largest size stored, opened whole from the frame
    thumb_url: str
    width: int
    height: int
    alt: str
    href: str
    post_photo_count: int = 1  # grids mark the tiles of posts with more than one photo
    # Grids: the post is sensitive and this viewer sees it covered (with the reason).
    covered: bool = False
    content_warning: str = ""
    # The blurred preview a sensitive post's cover shows (a data: URL), or "" for none.
    placeholder_url: str = ""
    # A video: its renditions (the poster frame is ``url``), and its length as shown.
    video_url: str = ""
    video_small_url: str = ""
    duration_label: str = ""


@dataclass(frozen=True)
class Toggle:
    """A like or save button's state as its form shows it: ``value`` is what pressing it
    asks for, ``css`` the "on" class, ``pressed`` its aria-pressed."""

    value: str
    css: str
    pressed: str

    @classmethod
    def of(cls, on: bool) -> Toggle:
        return cls("0", " icon-btn--on", "true") if on else cls("1", "", "false")


@dataclass(frozen=True)
class PostView:
    id: int
    url: str
    author: ProfileView
    caption: str
    caption_html: Markup
    created_at: datetime
    created_label: str
    edited_at: datetime | None  # set only when the caption or a description changed
    edited_label: str  # "02 Dec 2026, 20:42 UTC", or "" when never edited
    followers_only: bool
    comments_enabled: bool
    photos: list[PhotoView]
    like_count: int
    comment_count: int
    liked: bool = False
    saved: bool = False
    is_own: bool = False
    only_me: bool = False  # "Only you": its author alone sees it (so only they are shown it)
    # Marked sensitive by its author; ``covered``: this viewer sees the photos only after
    # choosing to (not those who turned on "always show sensitive media").
    sensitive: bool = False
    content_warning: str = ""
    covered: bool = False
    # Set only to draw a card with slots for the viewer's state (views/cards.py).
    toggles: tuple[Toggle, Toggle] | None = None

    @property
    def like_toggle(self) -> Toggle:
        return self.toggles[0] if self.toggles else Toggle.of(self.liked)

    @property
    def save_toggle(self) -> Toggle:
        return self.toggles[1] if self.toggles else Toggle.of(self.saved)

    @property
    def frame(self) -> tuple[int, int]:
        first = self.photos[0] if self.photos else None
        return frame_shape(first.width, first.height) if first else (1, 1)


@dataclass(frozen=True)
class CommentView:
    id: int
    author: ProfileView
    body_html: Markup
    created_at: datetime
    created_label: str
    can_delete: bool


def media_url(key: str, variant: str, *, public: bool = False) -> str:
    """Where the browser fetches a photo: files anyone may see can come from the media
    host (MEDIA_PUBLIC_URL, served by nginx without cookies); the rest from this host,
    through the access check."""
    endpoint = "media.video" if variant.startswith("video") else "media.file"  # .mp4, or .webp
    path = url_for(endpoint, key=key, variant=variant)
    base: str = current_app.config["MEDIA_PUBLIC_URL"]
    return base + path if public and base else path


def profile_view(
    user: User, *, sees_all_posts: bool = False, sees_shared_posts: bool = False
) -> ProfileView:
    """The post count the viewer may see: ``sees_all_posts`` (the account itself, a
    moderator) counts every post, only-me ones too; ``sees_shared_posts`` (a follower)
    every post but those; anyone else the public ones."""
    # A deleted or blocked account's avatar is private (moderators still see it).
    public = user.files_public
    avatar = media_url(user.avatar_key, "avatar", public=public) if user.avatar_key else None
    return ProfileView(
        id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        avatar_url=avatar or asset_url("img/avatar.svg"),
        url=url_for("profiles.show", username=user.username),
        bio=user.bio,
        website=user.website,
        is_private=user.is_private,
        post_count=(
            user.post_count
            if sees_all_posts
            else user.shared_post_count
            if sees_shared_posts
            else user.public_post_count
        ),
        follower_count=user.follower_count,
        following_count=user.following_count,
    )


def in_public_area(post: Post) -> bool:
    """Whether the post's files are in the public area, so may come from the media host."""
    return post.has_public_audience(post.author) and post.author.files_public


def covered_for(post: Post, viewer: User | None) -> bool:
    """Whether the viewer sees the post's photos covered: it is sensitive, and they did not
    ask to always see sensitive media (a preference on their row, already loaded)."""
    return post.sensitive and not (viewer is not None and viewer.show_sensitive_media)


def photo_view(photo: Photo, href: str, *, public: bool, post_photo_count: int = 1) -> PhotoView:
    key = photo.storage_key
    video = photo.is_video
    return PhotoView(
        url=media_url(photo.storage_key, "display", public=public),
        thumb_url=media_url(photo.storage_key, "thumb", public=public),
        width=photo.width,
        height=photo.height,
        alt=photo.alt_text,
        href=href,
        post_photo_count=post_photo_count,
        placeholder_url=f"data:image/webp;base64,{photo.placeholder}" if photo.placeholder else "",
        video_url=media_url(key, "video", public=public) if video else "",
        video_small_url=media_url(key, "video_small", public=public) if photo.has_small else "",
        duration_label=duration_label(photo.duration_ms) if video else "",
    )


def duration_label(milliseconds: int | None) -> str:
    """'0:07', '1:30': a video's length as players show it."""
    seconds = round((milliseconds or 0) / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def post_views(
    posts: Iterable[Post], state: ViewerMarks, viewer: User | None, *, shown: Collection[int] = ()
) -> list[PostView]:
    """``shown``: ids of sensitive posts the viewer chose to see (without JavaScript, "Show"
    is a link to the post with ``?show=sensitive``)."""
    now = utcnow()
    authors: dict[int, ProfileView] = {}
    views = []
    for post in posts:
        if post.author_id not in authors:
            authors[post.author_id] = profile_view(post.author)
        href = url_for("posts.show", post_id=post.id)
        views.append(
            PostView(
                id=post.id,
                url=href,
                author=authors[post.author_id],
                caption=post.caption,
                caption_html=rich_text(post.caption),
                created_at=post.created_at,
                created_label=relative_label(post.created_at, now),
                edited_at=post.edited_at,
                edited_label=datetime_label(post.edited_at) if post.edited_at else "",
                followers_only=post.visibility == Visibility.FOLLOWERS,
                only_me=post.visibility == Visibility.ONLY_ME,
                comments_enabled=post.comments_enabled,
                photos=[
                    photo_view(photo, href, public=in_public_area(post)) for photo in post.photos
                ],
                like_count=post.like_count,
                comment_count=post.comment_count,
                liked=post.id in state.liked,
                saved=post.id in state.saved,
                is_own=viewer is not None and viewer.id == post.author_id,
                sensitive=post.sensitive,
                content_warning=post.content_warning,
                covered=covered_for(post, viewer) and post.id not in shown,
            )
        )
    return views


def grid_photos(posts: Iterable[Post], viewer: User | None) -> list[PhotoView]:
    """The first photo of each post, linking to the post, for profile and tag grids."""
    return [
        replace(
            photo_view(
                post.photos[0],
                url_for("posts.show", post_id=post.id),
                public=in_public_area(post),
                post_photo_count=len(post.photos),
            ),
            covered=covered_for(post, viewer),
            content_warning=post.content_warning,
        )
        for post in posts
        if post.photos
    ]


def comment_views(
    comments: Iterable[Comment], post: Post, viewer: User | None
) -> list[CommentView]:
    now = utcnow()
    return [
        CommentView(
            id=comment.id,
            author=profile_view(comment.author),
            body_html=rich_text(comment.body),
            created_at=comment.created_at,
            created_label=relative_label(comment.created_at, now),
            can_delete=viewer is not None
            and (viewer.id in (comment.author_id, post.author_id) or viewer.is_admin),
        )
        for comment in comments
    ]


def alt_reminder(post: Post) -> Markup | None:
    """The notice after sharing photos without a description, with the way to add them;
    None when every photo has one."""
    total = len(post.photos)
    missing = sum(1 for photo in post.photos if not photo.alt_text)
    if not missing:
        return None
    if missing == 1:
        which = "Your photo has" if total == 1 else "One of your photos has"
        it, shows, link = "it", "it shows", "Add a description"
    else:
        which = (
            f"Your {total} photos have" if missing == total else f"{missing} of your photos have"
        )
        it, shows, link = "them", "they show", "Add descriptions"
    return Markup(
        "{which} no description, so people who can't see {it} won't know what {shows}. "
        '<a href="{href}">{link}</a>'
    ).format(
        which=which, it=it, shows=shows, href=url_for("posts.edit", post_id=post.id), link=link
    )
