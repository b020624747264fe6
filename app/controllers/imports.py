"""Bring your photos: upload an Instagram archive or a Sapling export, and follow its import.

The upload is checked at once (services/privacy/imports.start) and the worker makes the
posts; this page shows where it is, and polls for it with js/imports.js.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.authentication import login_required, signed_in_user
from app.controllers.support.limits import action_limits
from app.forms.imports import ImportForm
from app.models import Visibility
from app.services.errors import FormError
from app.services.privacy import imports
from app.views.imports import import_card

bp = Blueprint("imports", __name__, url_prefix="/settings/import")


@bp.before_request
@login_required
def require_login() -> None:
    """Every page here needs a logged-in user."""


def _page(form: ImportForm, status: int = 200) -> ResponseReturnValue:
    card = import_card(imports.latest(signed_in_user()))
    return render_template("imports/index.html", form=form, data_import=card), status


@bp.get("")
def index() -> ResponseReturnValue:
    return _page(ImportForm())


@bp.post("")
@action_limits("RATELIMIT_IMPORT")
def start() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files.get(form.archive.name)
        if upload is None or not upload.filename:
            form.archive.errors = ["Choose the ZIP archive to import."]
        else:
            try:
                imports.start(signed_in_user(), upload.stream, Visibility(form.visibility.data))
            except FormError as error:
                form.add_error(error)
            else:
                flash(
                    "Your archive is in. Its posts appear on your profile as they are made.",
                    "success",
                )
                return redirect(url_for("imports.index"), 303)
    return _page(form, 422 if form.is_submitted() else 200)


@bp.get("/progress")
def progress() -> ResponseReturnValue:
    card = import_card(imports.latest(signed_in_user()))
    response = jsonify(card.progress() if card is not None else {"state": "none"})
    response.headers["Cache-Control"] = "private, no-store"
    return response
