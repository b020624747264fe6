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


def relative_label(value: datetime, now: datetime) -> str:
    """``now``, ``5m``, ``3h``, ``2d``, ``4w``, then the date: short, as feeds show time."""
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "now"
    minute, hour, day, week = 60, 3600, 86400, 604800
    for unit, size, limit in (("m", minute, hour), ("h", hour, day), ("d", day, week)):
        if seconds < limit:
            return f"{seconds // size}{unit}"
    if seconds < 4 * week:
        return f"{seconds // week}w"
    return f"{value:%d %b %Y}"


def display_url(url: str) -> str:
    """``https://www.example.org/`` shown as ``example.org``: what people read in a profile."""
    shown = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return shown if len(shown) <= 40 else shown[:39] + "…"


def filesize(size: int | None) -> str:
    """``4.2 MB``: decimal units, as file managers show them."""
    if not size or size < 1000:
        return f"{size or 0} bytes"
    scaled, unit = size / 1000, "kB"
    for bigger in ("MB", "GB", "TB"):
        if scaled < 999.95:  # would not round up to 1000.0
            break
        scaled, unit = scaled / 1000, bigger
    return f"{scaled:.1f} {unit}"
