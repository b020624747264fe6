"""User-written text as HTML: escaped, with #hashtags and @mentions as links."""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup, escape

from app.models.post import HASHTAG
from app.models.user import MENTION, mention_key

_TOKENS = re.compile(f"{HASHTAG.pattern}|{MENTION.pattern}")


def rich_text(text: str) -> Markup:
    """Everything the author wrote is escaped; only our own links and line breaks are markup."""
    parts: list[str] = []
    position = 0
    for match in _TOKENS.finditer(text):
        parts.append(escape(text[position : match.start()]))
        tag, name = match.group(1), match.group(2)
        if tag is not None:
            href = url_for("discover.hashtag", tag=tag)
            parts.append(Markup('<a href="{}">#{}</a>').format(href, tag))
        elif mention_key(name):
            href = url_for("profiles.show", username=mention_key(name))
            parts.append(Markup('<a href="{}">@{}</a>').format(href, name))
        else:  # "@..." mentions nobody
            parts.append(escape(match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts).replace("\n", Markup("<br>\n"))
