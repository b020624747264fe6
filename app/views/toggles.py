"""The page's one toggle form (base.html, ``#post-toggles``), drawn only where it is used;
and likewise js/video.js, linked only on pages that show a video.

Every post card's like and save buttons submit it (components.post_actions). A page draws
it only when a card asked for it during the render, so pages without cards (an error page,
settings) carry no extra token, and a 404 is the same bytes wherever it was asked for.
The content block renders before the form (it sits after ``</main>``), so the mark is
always set in time; cards finished from the cache (views/cards.py) mark it themselves.
"""

from __future__ import annotations

from flask import g

_MARK = "sapling_post_toggles"
_VIDEO_MARK = "sapling_video_script"


def need_post_toggles() -> str:
    """Called by a card being drawn for a signed-in viewer; returns nothing to draw."""
    setattr(g, _MARK, True)
    return ""


def post_toggles_needed() -> bool:
    return bool(g.get(_MARK))


def need_video_script() -> str:
    """Called by a video being drawn (components.video_frame); returns nothing to draw."""
    setattr(g, _VIDEO_MARK, True)
    return ""


def video_script_needed() -> bool:
    return bool(g.get(_VIDEO_MARK))
