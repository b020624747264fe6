"""What the API's pages and answers show: the consent page's app and scopes in words, and
the Mastodon-shaped JSON of Sapling's accounts (https://docs.joinmastodon.org/entities/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for

from app.models import Post, User
from app.views.posts import in_public_area, photo_view, profile_view
from app.views.text import rich_text

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"

BROAD_WORDS = {
    "read": "See everything your account can see: your feed, posts, profile, followers, "
    "likes, saved posts and notifications",
    "write": "Post, comment, like and save for you, and change your profile and posts",
    "follow": "Follow and unfollow people, answer follow requests, block and mute for you",
    "push": "Receive your notifications as push messages",
}
FINE_WORDS = {
    "accounts": "your profile",
    "blocks": "who you block",
    "bookmarks": "your saved posts",
    "favourites": "your likes",
    "follows": "who you follow and follow requests",
    "media": "photos you upload",
    "mutes": "who you mute",
    "notifications": "your notifications",
    "search": "search",
    "statuses": "your posts",
}


@dataclass(frozen=True)
class ConsentView:
    name: str
    website: str  # "" when the app gave none
    website_host: str
    redirect: str  # where the answer goes, or "" for out of band (a code to copy)
    scopes: list[tuple[str, str]]  # (scope, in words)


def scope_words(scope: str) -> str:
    broad, _, fine = scope.partition(":")
    if not fine:
        return BROAD_WORDS.get(broad, scope)
    verb = "See" if broad == "read" else "Change"
    return f"{verb} {FINE_WORDS.get(fine, fine)}"


def consent_view(grant: Any) -> ConsentView:
    """The consent page's account of an authorization request (Authlib's grant)."""
    app = grant.client.app
    redirect = grant.redirect_uri or ""
    scopes = (grant.request.payload.scope or "read").split()
    return ConsentView(
        name=app.name,
        website=app.website,
        website_host=urlsplit(app.website).netloc if app.website else "",
        redirect="" if redirect == OUT_OF_BAND else redirect,
        scopes=[(scope, scope_words(scope)) for scope in scopes],
    )


def iso(moment: datetime | None) -> str | None:
    """Mastodon's datetimes: ISO 8601 in UTC with milliseconds and a Z."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def absolute(path: str) -> str:
    return path if "://" in path else current_app.config["BASE_URL"].rstrip("/") + path


def account_json(user: User, *, source: bool = False) -> dict[str, Any]:
    """An Account entity; ``source`` adds what verify_credentials tells the owner."""
    profile = profile_view(user, sees_all_posts=source)
    avatar = absolute(profile.avatar_url)
    url = absolute(url_for("profiles.show", username=user.username))
    found: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name or "",
        "locked": bool(user.is_private),
        "bot": False,
        "discoverable": not user.is_private,
        "indexable": False,
        "group": False,
        "created_at": iso(user.created_at),
        "note": str(rich_text(user.bio or "")),
        "url": url,
        "uri": url,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": "",
        "header_static": "",
        "followers_count": user.follower_count,
        "following_count": user.following_count,
        "statuses_count": profile.post_count,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }
    if source:
        found["source"] = {
            "privacy": "private" if user.is_private else "public",
            "sensitive": False,
            "language": None,
            "note": user.bio or "",
            "fields": [],
            "follow_requests_count": 0,
        }
    return found


def application_json(app: Any, secret: str | None = None) -> dict[str, Any]:
    """An Application entity (with its credentials, the once they are made)."""
    found: dict[str, Any] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scopes.split(),
        "redirect_uri": app.redirect_uris.split("\n")[0] if app.redirect_uris else "",
        "redirect_uris": app.redirect_uris.split("\n"),
        "vapid_key": "",
    }
    if secret is not None:
        found |= {"client_id": app.client_id, "client_secret": secret}
    return found


# Mastodon.py reads the version from /api/v1/instance and needs three numbers in it.
MASTODON_VERSION = "4.3.0"


def _version() -> str:
    return f"{MASTODON_VERSION} (compatible; Sapling {current_app.extensions['sapling_version']})"


def instance_v1(*, registrations_open: bool, approval_required: bool) -> dict[str, Any]:
    host = urlsplit(current_app.config["BASE_URL"]).netloc
    return {
        "uri": host,
        "title": "Sapling",
        "short_description": "Share photos with the people you choose, without the tracking.",
        "description": "A privacy-first photo-sharing site.",
        "email": current_app.config.get("SUPPORT_EMAIL") or "",
        "version": _version(),
        "urls": {},
        "stats": {},
        "thumbnail": None,
        "languages": ["en"],
        "registrations": registrations_open,
        "approval_required": approval_required,
        "invites_enabled": False,
        "configuration": _configuration(),
        "contact_account": None,
        "rules": [],
    }


def instance_v2(*, registrations_open: bool, approval_required: bool) -> dict[str, Any]:
    host = urlsplit(current_app.config["BASE_URL"]).netloc
    return {
        "domain": host,
        "title": "Sapling",
        "version": _version(),
        "source_url": current_app.config.get("SOURCE_URL") or "",
        "description": "Share photos with the people you choose, without the tracking.",
        "usage": {"users": {"active_month": 0}},
        "thumbnail": {"url": absolute("/static/brand/icon-512.png")},
        "languages": ["en"],
        "configuration": _configuration(),
        "registrations": {
            "enabled": registrations_open,
            "approval_required": approval_required,
            "message": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": current_app.config.get("SUPPORT_EMAIL") or "", "account": None},
        "rules": [],
    }


def _configuration() -> dict[str, Any]:
    config = current_app.config
    return {
        "urls": {},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": 2200,
            "max_media_attachments": 10,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/webp", "image/heic"],
            "image_size_limit": int(config["MAX_PHOTO_BYTES"]),
            "image_matrix_limit": int(config["IMAGE_MAX_PIXELS"]),
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0,
                  "max_expiration": 0},
    }  # fmt: skip


@dataclass(frozen=True)
class AppAccessView:
    """One app's token on the Devices page."""

    id: int
    name: str
    scopes: list[str]
    kept_signed_in: bool
    created_at: datetime
    last_used_at: datetime | None


def app_access_views(tokens: list[Any]) -> list[AppAccessView]:
    return [
        AppAccessView(
            id=token.id,
            name=token.app.name,
            scopes=token.scope.split(),
            kept_signed_in=token.refresh_digest is not None,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        )
        for token in tokens
    ]


# What Mastodon calls each of Sapling's audiences (only-me has no Mastodon twin: "direct"
# to nobody is the nearest).
VISIBILITY = {"public": "public", "followers": "private", "only_me": "direct"}


def status_json(post: Post, state: Any) -> dict[str, Any]:
    """A Status entity: the post, its photos and videos as media attachments, and what the
    token's person did to it (``state``: ``interactions.viewer_state``)."""
    href = absolute(url_for("posts.show", post_id=post.id))
    public = in_public_area(post)
    media = []
    for photo in post.photos:
        shown = photo_view(photo, href, public=public)
        media.append(
            {
                "id": str(photo.id),
                "type": "video" if photo.is_video else "image",
                "url": absolute(shown.video_url or shown.url),
                "preview_url": absolute(shown.thumb_url),
                "remote_url": None,
                "preview_remote_url": None,
                "text_url": None,
                "meta": {"original": {"width": photo.width, "height": photo.height}},
                "description": photo.alt_text or None,
                "blurhash": None,
            }
        )
    return {
        "id": str(post.id),
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": post.sensitive,
        "spoiler_text": post.content_warning,
        "visibility": VISIBILITY[post.visibility.value],
        "language": None,
        "uri": href,
        "url": href,
        "replies_count": post.comment_count,
        "reblogs_count": 0,
        "favourites_count": post.like_count,
        "favourited": post.id in state.liked,
        "reblogged": False,
        "muted": False,
        "bookmarked": post.id in state.saved,
        "pinned": False,
        "content": str(rich_text(post.caption)),
        "reblog": None,
        "application": None,
        "account": account_json(post.author),
        "media_attachments": media,
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def media_upload_json(media: Any) -> dict[str, Any]:
    """A MediaAttachment for an upload no status has taken yet: it has no address of its
    own until then (it is never served), so ``url`` is null, as Mastodon's are while
    processing."""
    return {
        "id": str(media.id),
        "type": "image",
        "url": None,
        "preview_url": None,
        "remote_url": None,
        "text_url": None,
        "meta": {"original": {"width": media.width, "height": media.height}},
        "description": media.description or None,
        "blurhash": None,
    }


def relationship_json(target: User, found: Any) -> dict[str, Any]:
    """A Relationship entity (``social.relationship``'s answer about ``target``)."""
    return {
        "id": str(target.id),
        "following": found.following == "following",
        "requested": found.following == "requested",
        "followed_by": found.follows_you,
        "blocking": found.blocking,
        "blocked_by": found.blocked_by,
        "muting": found.muting,
        "muting_notifications": found.muting,
        "showing_reblogs": True,
        "notifying": False,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
        "languages": None,
        "requested_by": False,
    }


# Sapling's notifications as Mastodon names them; moderators' notices have no twin there.
NOTIFICATION_TYPES = {
    "like": "favourite",
    "comment": "mention",  # a comment on one's post, with the post as its status
    "mention": "mention",
    "follow": "follow",
    "follow_request": "follow_request",
}


def notification_json(item: Any, state: Any) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "type": NOTIFICATION_TYPES[item.kind.value],
        "created_at": iso(item.created_at),
        "account": account_json(item.actor),
        "status": status_json(item.post, state) if item.post is not None else None,
    }


def hashtag_json(name: str) -> dict[str, Any]:
    return {"name": name, "url": absolute(url_for("discover.hashtag", tag=name)), "history": []}
