"""Notifications, and marking them read."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.controllers.support.authentication import login_required, signed_in_user
from app.forms.base import ConfirmForm
from app.services.content import notifications
from app.views.notifications import notification_views
from app.views.pages import cursor_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
@login_required
def require_login() -> None:
    """Notifications are only ever the signed-in person's own."""


@bp.get("/")
def index() -> str:
    """Shows a page of notifications and marks those it shows as read, so the badge clears.
    A GET that writes, but safely: only the viewer's own rows, only from unread to read,
    the same on every repeat (docs/security.md, "Requests that change state")."""
    me = signed_in_user()
    page = notifications.recent(me, cursor_arg(), 30)
    items = notification_views(page.items)  # drawn as they were: the new ones stand out
    notifications.mark_seen(me, page.items)
    # Unread ones this page did not show (older pages): the button offers them, up to the
    # newest shown. The count is the badge's, cached for the navigation that follows.
    more_unread = bool(page.items) and notifications.unread_count(me.id) > 0
    return render_template(
        "notifications/index.html",
        items=items,
        next_cursor=page.next_cursor,
        mark_read_through=max(item.id for item in page.items) if more_unread else None,
    )


@bp.post("/read")
def mark_read() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notifications.mark_all_read(signed_in_user(), cursor_arg("through"))
    return redirect(url_for("notifications.index"), 303)
