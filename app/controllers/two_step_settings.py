"""Settings for two-step login: authenticator app, recovery codes, passkeys."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support.authentication import (
    current_client,
    fresh_required,
    login_required,
    signed_in_user,
)
from app.controllers.support.webauthn_json import (
    credential_from_request,
    json_error,
    start_ceremony,
    take_challenge,
)
from app.forms.base import ConfirmForm
from app.forms.two_step import ConfirmCodeForm, PasskeyNameForm, RecoveryDownloadForm
from app.services.errors import FormError
from app.services.security import passkeys, recovery_codes, totp
from app.views.qr import qr_svg

# Endpoint names (two_factor.*) and the URL stay as they were: metric labels and bookmarks.
bp = Blueprint("two_factor", __name__, url_prefix="/settings/two-factor")


@bp.before_request
@login_required
def require_login() -> None:
    """Every page here needs a logged-in user."""


@bp.get("/")
def index() -> str:
    user = signed_in_user()
    return render_template(
        "settings/two_step.html",
        totp_enabled=totp.is_enabled(user),
        codes_left=recovery_codes.remaining(user),
        passkey_list=passkeys.user_passkeys(user),
        form=ConfirmForm(),
        name_form=PasskeyNameForm(),
    )


@bp.route("/totp", methods=["GET", "POST"])
@fresh_required
def totp_setup() -> ResponseReturnValue:
    user = signed_in_user()
    if totp.is_enabled(user):
        flash("Your authenticator app is already set up.", "info")
        return redirect(url_for("two_factor.index"), 303)
    form = ConfirmCodeForm()
    if form.validate_on_submit() and totp.pending_secret(user) is None:
        flash("Scan the code below, then enter the 6 digits.", "info")
        return redirect(url_for("two_factor.totp_setup"), 303)
    if form.validate_on_submit():
        try:
            totp.confirm_enrolment(user, form.code.data or "", current_client())
        except FormError as error:
            form.add_error(error)
        else:
            if recovery_codes.remaining(user) == 0:
                codes = recovery_codes.generate(user, current_client())
                return _show_codes(codes, first_time=True)
            flash("Two-step login with your authenticator app is on.", "success")
            return redirect(url_for("two_factor.index"), 303)
    secret = totp.pending_secret(user) or totp.start_enrolment(user)
    uri = totp.provisioning_uri(user, secret)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "settings/totp_setup.html",
        form=form,
        secret=secret,
        qr=qr_svg(uri, label="QR code for your authenticator app"),
    ), status


@bp.post("/totp/disable")
@fresh_required
def totp_disable() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    totp.disable(signed_in_user(), current_client())
    flash("The authenticator app is off.", "success")
    return redirect(url_for("two_factor.index"), 303)


def _show_codes(codes: list[str], *, first_time: bool = False) -> str:
    return render_template(
        "settings/recovery_codes.html",
        codes=codes,
        first_time=first_time,
        download_form=RecoveryDownloadForm(codes=" ".join(codes)),
    )


@bp.post("/recovery-codes")
@fresh_required
def regenerate_recovery_codes() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _show_codes(recovery_codes.generate(signed_in_user(), current_client()))


@bp.post("/recovery-codes/download")
def download_recovery_codes() -> Response:
    """The codes on the page just shown, as a text file; only still-valid codes are echoed."""
    form = RecoveryDownloadForm()
    if not form.validate_on_submit():
        abort(400)
    codes = recovery_codes.still_valid(signed_in_user(), (form.codes.data or "").split())
    if not codes:
        abort(400)
    text = (
        "Sapling recovery codes\n\nEach code works once. Keep them somewhere safe.\n\n"
        + "\n".join(codes)
        + "\n"
    )
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="sapling-recovery-codes.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/passkeys/options")
@fresh_required
def passkey_options() -> Response:
    ceremony = passkeys.registration_options(signed_in_user())
    return start_ceremony("register", ceremony.options_json, ceremony.challenge)


@bp.post("/passkeys")
@fresh_required
def passkey_register() -> Response | tuple[Response, int]:
    credential, body = credential_from_request()
    challenge = take_challenge("register")
    if challenge is None:
        return json_error("That took too long. Please try again.", 409)
    name = str(body.get("name") or "")[:60]
    try:
        passkeys.register(signed_in_user(), credential, challenge, name, current_client())
    except FormError as error:
        return json_error(error.message, 400)
    flash("Your passkey was added.", "success")
    return jsonify(redirect=url_for("two_factor.index"))


@bp.post("/passkeys/<int(max=2147483647):passkey_id>/rename")
def passkey_rename(passkey_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    passkey = passkeys.get_own(user, passkey_id)
    if passkey is None:
        abort(404)
    form = PasskeyNameForm()
    if not form.validate_on_submit():
        flash("Give the passkey a name of up to 60 characters.", "error")
        return redirect(url_for("two_factor.index"), 303)
    passkeys.rename(user, passkey, form.name.data or "", current_client())
    flash("Passkey renamed.", "success")
    return redirect(url_for("two_factor.index"), 303)


@bp.post("/passkeys/<int(max=2147483647):passkey_id>/delete")
@fresh_required
def passkey_delete(passkey_id: int) -> Response:
    user = signed_in_user()
    passkey = passkeys.get_own(user, passkey_id)
    if passkey is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    passkeys.remove(user, passkey, current_client())
    flash("Passkey removed.", "success")
    return redirect(url_for("two_factor.index"), 303)
