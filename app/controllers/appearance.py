"""The theme switch: a small form on the settings page and at /appearance, for visitors too."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.appearance import chosen_theme, remember_theme
from app.core.redirects import safe_next
from app.forms.appearance import ThemeForm

bp = Blueprint("appearance", __name__)


@bp.get("/appearance")
def show() -> ResponseReturnValue:
    back = safe_next(request.args.get("next"), url_for("main.index"))
    return render_template("appearance/show.html", back=back, current=chosen_theme())


@bp.post("/appearance")
def choose() -> ResponseReturnValue:
    """Remember the choice in a cookie, then go back to the page the switch was on."""
    form = ThemeForm()
    if not form.validate_on_submit():
        back = safe_next(form.next.data, url_for("appearance.show"))
        return render_template(
            "appearance/show.html",
            back=back,
            current=chosen_theme(),
            error="Choose System, Light or Dark.",
        ), 400
    response = redirect(safe_next(form.next.data, url_for("appearance.show")), 303)
    remember_theme(response, str(form.theme.data))
    return response
