"""Presentation in Python: what templates may call, and how values are shown."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

from app.core.authentication import is_logged_in
from app.views.assets import asset_url
from app.views.filters import datetime_label, slugify_id
from app.views.navigation import primary_nav


def register_views(app: Flask, version: str) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(asset_url=asset_url, sapling_version=version)
    app.jinja_env.filters.update(slugify_id=slugify_id, datetime=datetime_label)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not has_request_context():  # emails rendered by CLI commands and workers
            return {"nav_items": []}
        return {"nav_items": primary_nav(is_logged_in(), request.endpoint)}
