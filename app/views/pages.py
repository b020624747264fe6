"""Small helpers shared by the pages that list things."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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
    """posts.js asks for just the changed part of a page (a like button) with this header,
    and compose.js for an upload's answer as JSON."""
    return request.headers.get("X-Sapling-Fragment") == "1"


# A cursor of a time and an id ("<microseconds since 1970>-<id>"), for lists in time order
# whose times may tie (who liked a post).
_TIME_CURSOR = re.compile(r"(\d{1,18})-(\d{1,19})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def time_cursor(moment: datetime, row_id: int) -> str:
    return f"{(moment - _EPOCH) // _MICROSECOND}-{row_id}"


def time_cursor_arg(name: str = "before") -> tuple[datetime, int] | None:
    """The cursor ``time_cursor`` wrote, from the query string; anything else is a 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    match = _TIME_CURSOR.fullmatch(raw) if raw.isascii() else None
    if match is None or int(match.group(2)) > MAX_CURSOR:
        abort(400)
    try:
        moment = _EPOCH + int(match.group(1)) * _MICROSECOND
    except OverflowError:
        abort(400)
    return moment, int(match.group(2))
