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
    page = notifications.recent(signed_in_user(), cursor_arg(), 30)
    return render_template(
        "notifications/index.html",
        items=notification_views(page.items),
        next_cursor=page.next_cursor,
    )


@bp.post("/read")
def mark_read() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notifications.mark_all_read(signed_in_user())
    return redirect(url_for("notifications.index"), 303)
