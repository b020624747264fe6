"""Download your data: ask for an archive of your account, and download it once built.

Asking needs a fresh login; so does downloading, as the archive holds everything
(email, IP addresses, followers-only photos). Anyone but the owner gets a 404;
an expired archive of the owner's is a 410 with a way to ask again.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from app.controllers.support.authentication import fresh_required, login_required, signed_in_user
from app.controllers.support.limits import action_limits
from app.forms.base import ConfirmForm
from app.models import ExportStatus, utcnow
from app.services.privacy import exports
from app.views.exports import export_card

bp = Blueprint("exports", __name__, url_prefix="/settings/export")

PRIVATE_EXPORTS_URI = "/_private_exports"
NO_STORE = "private, no-store"


@bp.before_request
@login_required
def require_login() -> None:
    """Every page here needs a logged-in user."""


def _lifetime_days() -> int:
    lifetime: timedelta = current_app.config["EXPORT_LIFETIME"]
    return lifetime.days


@bp.get("")
def index() -> str:
    export = exports.latest(signed_in_user())
    return render_template(
        "exports/index.html", export=export_card(export, utcnow()), lifetime_days=_lifetime_days()
    )


@bp.post("")
@fresh_required
@action_limits("RATELIMIT_EXPORT")
def request_export() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = signed_in_user()
    _, created = exports.request_export(user)
    if created:
        flash(f"We're gathering your data, and will email {user.email} when it's ready.", "success")
    else:
        flash("Your data is already being gathered: we'll email you when it's ready.", "info")
    return redirect(url_for("exports.index"), 303)


@bp.get("/<id:export_id>/download")
@fresh_required
def download(export_id: int) -> Response | tuple[str, int]:
    user = signed_in_user()
    export = exports.owned(user, export_id)
    if export is None or export.status != ExportStatus.READY or export.ready_at is None:
        abort(404)
    if exports.is_expired(export, utcnow()):
        return render_template("exports/expired.html"), 410
    path = exports.path_of(export)
    if path is None or not path.is_file():
        abort(404)
    name = f"sapling-export-{user.username}-{export.ready_at:%Y-%m-%d}.zip"
    if current_app.config["MEDIA_X_ACCEL"]:
        response = Response(status=200, content_type="application/zip")
        response.headers["X-Accel-Redirect"] = f"{PRIVATE_EXPORTS_URI}/{path.name}"
        response.headers.set("Content-Disposition", "attachment", filename=name)
    else:
        response = send_file(
            path, mimetype="application/zip", as_attachment=True, download_name=name
        )
    response.headers["Cache-Control"] = NO_STORE
    return response
