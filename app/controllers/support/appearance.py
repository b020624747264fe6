"""The theme a browser chose, read from its cookie for every page, so <html> is drawn in it.

A cookie, not an account setting: it works the same for visitors, and the page is right from
its first byte (no flash of the other theme, no script needed).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from werkzeug.wrappers import Response

from app.forms.appearance import PINNED_THEMES, THEMES


def chosen_theme() -> str:
    """``light`` or ``dark`` if this browser pinned one, else ``system``."""
    value = request.cookies.get(current_app.config["THEME_COOKIE_NAME"], "")
    return value if value in PINNED_THEMES else "system"


def remember_theme(response: Response, theme: str) -> None:
    """Pin the theme for a long while, or forget it (``system``: follow the device again)."""
    config = current_app.config
    attributes: dict[str, Any] = {
        "path": "/",
        "secure": bool(config["SESSION_COOKIE_SECURE"]),
        "httponly": True,
        "samesite": "Lax",
    }
    if theme in PINNED_THEMES:
        max_age = int(config["THEME_COOKIE_DAYS"]) * 86400
        response.set_cookie(config["THEME_COOKIE_NAME"], theme, max_age=max_age, **attributes)
    else:
        response.delete_cookie(config["THEME_COOKIE_NAME"], **attributes)


def here() -> str:
    """This page's path and query, for the switch to come back to."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def register_appearance(app: Flask) -> None:
    # The switch's macro is imported without the template's context; the choices are global.
    app.jinja_env.globals["themes"] = THEMES

    @app.context_processor
    def appearance() -> dict[str, Any]:
        if not has_request_context():  # emails rendered by CLI commands and workers
            return {"theme": "system"}
        return {"theme": chosen_theme(), "theme_next": here()}
