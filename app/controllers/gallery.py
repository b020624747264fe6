"""The component gallery: every building block on one page. Development and tests only."""

from __future__ import annotations

from flask import Blueprint, flash, render_template

from app.forms.gallery import SampleForm
from app.views.gallery import gallery_context

bp = Blueprint("gallery", __name__, url_prefix="/_gallery")


def _form_sample(theme: str) -> SampleForm:
    """A read-only copy of the sample form per theme, showing a hint and an error."""
    form = SampleForm(prefix=theme, formdata=None, meta={"csrf": False}, display_name="Juniper")
    form.email.errors = ["Enter an email address like name@example.org."]
    return form


def _page(form: SampleForm) -> str:
    samples = {theme: _form_sample(theme) for theme in ("light", "dark")}
    return render_template(
        "gallery/index.html", form=form, form_samples=samples, **gallery_context()
    )


@bp.route("/", methods=["GET", "POST"])
def index() -> tuple[str, int] | str:
    form = SampleForm()
    if form.validate_on_submit():
        flash("Saved. (Nothing is stored: this is the gallery.)", "success")
    elif form.is_submitted():
        return _page(form), 422
    return _page(form)
