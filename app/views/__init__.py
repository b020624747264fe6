"""Presentation in Python: what templates may call, and how values are shown."""

from __future__ import annotations

from flask import Flask

from app.views.assets import asset_url
from app.views.filters import datetime_label, display_url, filesize, slugify_id
from app.views.joining import PROBLEMS
from app.views.text import rich_text
from app.views.toggles import (
    need_post_toggles,
    need_video_script,
    post_toggles_needed,
    video_script_needed,
)


def register_views(app: Flask, version: str) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    # Macros are imported without the template's context; they ask this instead. (The navigation
    # and ``signed_in`` need the request's user: controllers/support/navigation.py adds them.)
    app.jinja_env.globals.update(
        asset_url=asset_url,
        sapling_version=version,
        source_url=app.config["SOURCE_URL"],
        invite_problems=PROBLEMS,
        need_post_toggles=need_post_toggles,
        post_toggles_needed=post_toggles_needed,
        need_video_script=need_video_script,
        video_script_needed=video_script_needed,
    )
    app.jinja_env.filters.update(
        slugify_id=slugify_id,
        datetime=datetime_label,
        rich_text=rich_text,
        display_url=display_url,
        filesize=filesize,
    )
