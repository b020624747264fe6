"""Jinja filters."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

_NON_ID = re.compile(r"[^a-z0-9]+")


def slugify_id(text: str) -> str:
    """A stable, valid HTML id from a heading: ``"No posts yet"`` -> ``"no-posts-yet"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = _NON_ID.sub("-", ascii_text.lower()).strip("-")
    return f"s-{slug}" if slug else "section"


def datetime_label(value: datetime) -> str:
    """``27 Nov 2026, 14:05 UTC``: unambiguous everywhere."""
    return f"{value:%d %b %Y, %H:%M} UTC"
