"""The component gallery: every building block on one page. Development and tests only."""

from __future__ import annotations

from flask import Blueprint, flash, render_template

from app.forms.gallery import SampleForm
from app.views.gallery import gallery_context

bp = Blueprint("gallery", __name__, url_prefix="/_gallery")


@bp.route("/", methods=["GET", "POST"])
def index() -> tuple[str, int] | str:
    form = SampleForm()
    if form.validate_on_submit():
        flash("Saved. (Nothing is stored: this is the gallery.)", "success")
    elif form.is_submitted():
        return render_template("gallery/index.html", form=form, **gallery_context()), 422
    return render_template("gallery/index.html", form=form, **gallery_context())
