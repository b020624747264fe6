"""Presentation in Python: what templates may call, and how values are shown."""

from __future__ import annotations

from flask import Flask

from app.views.assets import asset_url
from app.views.filters import slugify_id


def register_views(app: Flask, version: str) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(asset_url=asset_url, sapling_version=version)
    app.jinja_env.filters.update(slugify_id=slugify_id)
