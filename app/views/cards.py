"""Post cards rendered once, kept in Redis, and finished per request with the viewer's part.

Drawing twelve cards in Jinja was half of the feed's time. A card is the same for every
viewer but for a few values: whether they liked and saved the post, and the relative time
("5m"); the CSRF token and the page to come back to are the page's, in its one toggle form
(base.html). The card is rendered once with a slot for each of those (``\\x00name\\x00``;
NUL never occurs in text we render, ``input_guard`` refuses it in input) and kept; each
request fills the slots in.

The key is a hash of everything else the card shows: the post's fields (caption, counts,
edited time, visibility, sensitive mark), its author's (username, display name, avatar,
whether the account is private and its files public), the viewer's variant (signed in,
photos covered, first on the page, heading level) and the version of the templates and
the app. An edit, a like, a comment, a rename or a change of visibility gives a new key
on the next request, so nothing is invalidated and no race can serve an old card; old
keys expire (``CARD_CACHE_SECONDS``). Photos are not in the key: they never change after
posting but for their descriptions, and a description's change sets ``edited_at``.

Who may see a card at all is not the card's business: the lists' queries decide that
(``services/content/access.py``). Without Redis every card is rendered, as before.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from redis.exceptions import RedisError

from app.core.redis import is_outage
from app.extensions import redis_client
from app.models import Post, User, utcnow
from app.views.filters import relative_label
from app.views.posts import PostView, Toggle, ViewerMarks, covered_for, post_views
from app.views.toggles import need_post_toggles, need_video_script

log = logging.getLogger(__name__)

TEMPLATE = "_macros/card.html"
SLOT = "\x00"


def _slot(name: str) -> str:
    return f"{SLOT}{name}{SLOT}"


_SLOTTED_TOGGLES = (
    Toggle(_slot("like_value"), _slot("like_css"), _slot("like_pressed")),
    Toggle(_slot("save_value"), _slot("save_css"), _slot("save_pressed")),
)


def _version() -> str:
    """The templates' and the app's version, worked out once per app."""
    version: str | None = current_app.extensions.get("sapling_card_version")
    if version is None:
        loader = current_app.jinja_env.loader
        assert loader is not None  # noqa: S101 (Flask always has one)
        sources = [
            loader.get_source(current_app.jinja_env, name)[0]
            for name in (TEMPLATE, "_macros/components.html", "_macros/icons.html")
        ]
        globals_ = current_app.jinja_env.globals
        parts = [
            *sources,
            str(globals_.get("sapling_version")),
            current_app.config["MEDIA_PUBLIC_URL"],
        ]
        version = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
        current_app.extensions["sapling_card_version"] = version
    return version


def card_key(post: Post, *, signed_in: bool, covered: bool, lazy: bool, level: int) -> str:
    author = post.author
    shown: tuple[Any, ...] = (
        _version(),
        post.id,
        post.caption,
        post.created_at.isoformat(),
        post.edited_at.isoformat() if post.edited_at else "",
        str(post.visibility),
        post.comments_enabled,
        post.sensitive,
        post.content_warning,
        post.like_count,
        post.comment_count,
        author.id,
        author.username,
        author.display_name,
        author.avatar_key,
        author.is_private,
        author.files_public,
        signed_in,
        covered,
        lazy,
        level,
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:32]
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:card:{digest}"


def _failed(error: RedisError) -> None:
    if not is_outage(error):
        log.warning("The card cache refused a command (%s)", error)


# Between the cards of one render: NUL never occurs in text we render, and no slot is "|".
_BETWEEN = f"{SLOT}|{SLOT}"
# The templates' indentation and blank lines: a card holds no <pre>, <textarea> or CSS
# ``white-space: pre``, so a newline alone lays it out the same, 1.4 KB fewer on a feed.
_INDENT = re.compile(r"\n\s+")


def _render(views: Sequence[PostView], lazy: Sequence[bool], level: int) -> list[str]:
    """Draw these cards with slots, in one render of the template."""
    slotted = [
        replace(view, created_label=_slot("when"), toggles=_SLOTTED_TOGGLES) for view in views
    ]
    template = current_app.jinja_env.get_template(TEMPLATE)
    html = template.render(
        posts=slotted,
        lazy=lazy,
        level=level,
        between=_BETWEEN,
    )
    return _INDENT.sub("\n", html).split(_BETWEEN)[: len(views)]


def _fill(card: str, values: dict[str, str]) -> Markup:
    parts = card.split(SLOT)
    parts[1::2] = [values[name] for name in parts[1::2]]
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # our rendering; values escaped


@dataclass
class Cards:
    """A list's cards as found in the cache; ``missing``: the posts still to draw, whose
    photos the controller has loaded (``timelines.load_photos``) before ``finish``."""

    posts: Sequence[Post]
    keys: list[str]
    found: list[str | None]
    level: int

    @property
    def missing(self) -> list[Post]:
        return [post for post, card in zip(self.posts, self.found, strict=True) if card is None]


def cached_cards(posts: Sequence[Post], viewer: User | None, *, level: int = 2) -> Cards:
    """Look the cards of a list of posts up in Redis (one MGET); the first card is drawn
    eagerly (its photo is likely in view), as ``post_card`` draws it with ``lazy=False``."""
    client = redis_client.client
    if client is None:  # nothing to look up: every card is drawn
        return Cards(posts, [""] * len(posts), [None] * len(posts), level)
    keys = [
        card_key(
            post,
            signed_in=viewer is not None,
            covered=covered_for(post, viewer),
            lazy=index > 0,
            level=level,
        )
        for index, post in enumerate(posts)
    ]
    found: list[str | None] = [None] * len(keys)
    if keys:
        try:
            found = [
                card.decode() if isinstance(card, bytes) else None for card in client.mget(keys)
            ]
        except RedisError as error:
            _failed(error)
    return Cards(posts, keys, found, level)


def finish(cards: Cards, state: ViewerMarks, viewer: User | None) -> list[Markup]:
    """Draw the missing cards (and keep them), then fill every card's slots for this viewer."""
    missing = [index for index, card in enumerate(cards.found) if card is None]
    drawn = list(cards.found)
    fresh: dict[str, str] = {}
    if missing:
        views = post_views([cards.posts[index] for index in missing], state, viewer)
        lazy = [index > 0 for index in missing]
        made = _render(views, lazy, cards.level)
        for index, html in zip(missing, made, strict=True):
            drawn[index] = html
            if cards.keys[index]:
                fresh[cards.keys[index]] = html
    if viewer is not None and cards.posts:
        need_post_toggles()  # cards from the cache were not drawn, so they could not ask
    if any(card is not None and "data-video" in card for card in drawn):
        need_video_script()
    now = utcnow()
    filled = []
    for post, card in zip(cards.posts, drawn, strict=True):
        like, save = Toggle.of(post.id in state.liked), Toggle.of(post.id in state.saved)
        values = {
            "when": str(escape(relative_label(post.created_at, now))),
            "like_value": like.value,
            "like_css": like.css,
            "like_pressed": like.pressed,
            "save_value": save.value,
            "save_css": save.css,
            "save_pressed": save.pressed,
        }
        filled.append(_fill(card or "", values))
    _keep(fresh)
    return filled


def _keep(fresh: dict[str, str]) -> None:
    client = redis_client.client
    if client is not None and fresh:
        try:
            pipe = client.pipeline(transaction=False)
            for key, card in fresh.items():
                pipe.set(key, card, ex=int(current_app.config["CARD_CACHE_SECONDS"]))
            pipe.execute()
        except RedisError as error:
            _failed(error)
