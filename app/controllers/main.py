"""Public pages that belong to no other domain: the landing page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.authentication import is_logged_in

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The landing page for visitors; people who are signed in go to their feed."""
    if is_logged_in():
        return redirect(url_for("feed.home"))
    return render_template("main/index.html")
