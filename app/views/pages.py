"""Small helpers shared by the pages that list things."""

from __future__ import annotations

from flask import abort, request

MAX_CURSOR = 2**63 - 1


def cursor_arg(name: str = "before") -> int | None:
    """A keyset cursor from the query string; anything but a plain id is a 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_CURSOR:
        abort(400)
    return int(raw)


def wants_fragment() -> bool:
    """app.js asks for just the changed part of a page (a like button) with this header."""
    return request.headers.get("X-Sapling-Fragment") == "1"
