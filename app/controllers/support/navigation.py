"""What every page's navigation needs from the request: who is signed in, what is unread.

``views.navigation`` draws the links; the signed-in person and the unread count come
from the request and a service, so they are fetched here, on the controllers' side.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

from app.controllers.support.authentication import is_logged_in, viewer
from app.services.accounts.identifiers import canonical_username
from app.services.content.notifications import unread_count
from app.views.navigation import primary_nav


def register_navigation(app: Flask) -> None:
    # Macros are imported without the template's context; they ask this instead.
    app.jinja_env.globals["signed_in"] = is_logged_in

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not has_request_context():  # emails rendered by CLI commands and workers
            return {"nav_items": []}
        me = viewer()
        if me is None:
            return {"nav_items": []}
        # The unread badge: one indexed count over unread rows only.
        unread = unread_count(me.id)
        shown = (request.view_args or {}).get("username")
        viewing = canonical_username(shown) if isinstance(shown, str) else None
        return {"nav_items": primary_nav(me.username, request.endpoint, unread, viewing)}
