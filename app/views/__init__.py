"""Presentation in Python: what templates may call, and how values are shown."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

from app.controllers.support.authentication import is_logged_in, viewer
from app.services.content.notifications import unread_count
from app.views.assets import asset_url
from app.views.filters import datetime_label, display_url, filesize, slugify_id
from app.views.navigation import primary_nav
from app.views.text import rich_text


def register_views(app: Flask, version: str) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    # Macros are imported without the template's context; they ask this instead.
    app.jinja_env.globals.update(
        asset_url=asset_url,
        sapling_version=version,
        signed_in=is_logged_in,
        source_url=app.config["SOURCE_URL"],
    )
    app.jinja_env.filters.update(
        slugify_id=slugify_id,
        datetime=datetime_label,
        rich_text=rich_text,
        display_url=display_url,
        filesize=filesize,
    )

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not has_request_context():  # emails rendered by CLI commands and workers
            return {"nav_items": []}
        me = viewer()
        if me is None:
            return {"nav_items": []}
        # The unread badge: one indexed count over unread rows only.
        unread = unread_count(me.id)
        return {"nav_items": primary_nav(me.username, request.endpoint, unread)}
