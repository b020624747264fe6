"""Account settings: preferences, credentials, devices and the security timeline."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support import limits
from app.controllers.support.authentication import (
    clear_login_cookie,
    current_client,
    current_session,
    fresh_required,
    login_required,
    set_known_browser_cookie,
    set_login_cookies,
    signed_in_user,
)
from app.extensions import limiter
from app.forms.base import ConfirmForm, Form
from app.forms.settings import (
    ChangeEmailForm,
    ChangePasswordForm,
    ChangeUsernameForm,
    DeleteAccountForm,
    PreferencesForm,
)
from app.models import DeletionReason
from app.services.accounts import credentials, profiles, registrations
from app.services.accounts.identifiers import typed_username
from app.services.api import apps
from app.services.errors import FormError
from app.services.privacy import lifecycle
from app.services.security import security_log, sessions, two_step
from app.views.api import app_access_views
from app.views.filters import datetime_label
from app.views.settings import devices_view, timeline_view

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.before_request
@login_required
def require_login() -> None:
    """Every settings page needs a logged-in user."""


def _form_page(template: str, form: Form) -> tuple[str, int]:
    return render_template(template, form=form), 422 if form.is_submitted() else 200


@bp.get("/")
def index() -> str:
    return render_template(
        "settings/index.html", may_invite=registrations.may_invite(signed_in_user())
    )


@bp.route("/preferences", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    me = signed_in_user()
    form = PreferencesForm(obj=me)
    if form.validate_on_submit():
        profiles.update_preferences(
            me,
            remind_alt_text=form.remind_alt_text.data,
            show_sensitive_media=form.show_sensitive_media.data,
        )
        flash("Your preferences are saved.", "success")
        return redirect(url_for("settings.preferences"), 303)
    return _form_page("settings/preferences.html", form)


@bp.route("/password", methods=["GET", "POST"])
@fresh_required
def password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        client = current_client()
        try:
            credentials.change_password(
                signed_in_user(),
                form.current_password.data or "",
                form.new_password.data or "",
                client,
            )
        except FormError as error:
            form.add_error(error)
        else:
            # Every session ended with the change; this browser gets a fresh one.
            old = current_session()
            remember = bool(old and old.remember)
            _, raw, device_id = sessions.restart_for_browser(
                signed_in_user(), client, remember=remember
            )
            flash("Your password was changed. Every other session was signed out.", "success")
            response = redirect(url_for("settings.index"), 303)
            set_login_cookies(response, raw, device_id, remember=remember)
            set_known_browser_cookie(response, signed_in_user())  # the old token's epoch is gone
            return response
    return _form_page("settings/password.html", form)


@bp.route("/email", methods=["GET", "POST"])
@fresh_required
@limiter.limit(
    limits.configured("RATELIMIT_EMAIL_ADDRESS"),
    key_func=limits.email_account,  # the new address, which is sent a link
    methods=["POST"],
)
def email() -> ResponseReturnValue:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            credentials.request_email_change(
                signed_in_user(), form.password.data or "", form.email.data or "", current_client()
            )
        except FormError as error:
            form.add_error(error)
        else:
            flash(
                "Check your new inbox: the change happens when you click the link we sent.",
                "success",
            )
            return redirect(url_for("settings.index"), 303)
    return _form_page("settings/email.html", form)


@bp.route("/username", methods=["GET", "POST"])
@limiter.limit(limits.configured("RATELIMIT_USERNAME_CHANGE"), methods=["POST"])
def username() -> ResponseReturnValue:
    form = ChangeUsernameForm()
    if form.validate_on_submit():
        try:
            credentials.change_username(
                signed_in_user(), form.username.data or "", current_client()
            )
        except FormError as error:
            form.add_error(error)
        else:
            flash(f"Your username is now @{signed_in_user().username}.", "success")
            return redirect(url_for("settings.index"), 303)
    return _form_page("settings/username.html", form)


@bp.get("/devices")
def devices() -> str:
    user = signed_in_user()
    rows = devices_view(sessions.active_sessions(user), current_session())
    trusted = two_step.trusted_browsers(user)
    return render_template(
        "settings/devices.html",
        form=ConfirmForm(),
        sessions=rows,
        trusted=trusted,
        apps=app_access_views(apps.live_tokens(user)),
    )


@bp.post("/devices/apps/<int(max=9223372036854775807):token_id>/revoke")
def revoke_app(token_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not apps.revoke(signed_in_user(), token_id):
        abort(404)
    flash("That app can no longer use your account.", "success")
    return redirect(url_for("settings.devices"), 303)


@bp.post("/devices/trusted/<int(max=2147483647):trust_id>/revoke")
def untrust_browser(trust_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not two_step.untrust(signed_in_user(), trust_id, current_client()):
        abort(404)
    flash("That browser will be asked for the second step again.", "success")
    return redirect(url_for("settings.devices"), 303)


@bp.post("/devices/<int(max=2147483647):session_id>/revoke")
def revoke_device(session_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    current = current_session()
    if current is not None and current.id == session_id:
        abort(400)  # this browser signs out with "Log out"
    if not sessions.revoke_user_session(signed_in_user(), session_id, current_client()):
        abort(404)
    flash("That session was signed out.", "success")
    return redirect(url_for("settings.devices"), 303)


@bp.post("/devices/revoke-others")
def revoke_other_devices() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = sessions.revoke_others(signed_in_user(), current_session(), current_client())
    flash(f"Signed out {count} other session{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("settings.devices"), 303)


@bp.get("/security")
def security() -> str:
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:
        abort(400)
    events, next_before = security_log.timeline(signed_in_user(), before=before)
    return render_template(
        "settings/security.html", events=timeline_view(events), next_before=next_before
    )


@bp.route("/delete", methods=["GET", "POST"])
@fresh_required
def delete_account() -> ResponseReturnValue:
    """Delete the account: hidden at once, erased after the grace period."""
    me = signed_in_user()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if typed_username(form.username.data or "") != me.username:
            form.username.errors = ["That is not your username."]
        else:
            lifecycle.request_deletion(me, DeletionReason.SELF_DELETED, current_client())
            when = lifecycle.purge_date(me)
            flash(
                "Your account is deleted. Everything in it is erased for good on "
                f"{datetime_label(when) if when else 'the end of the grace period'}; "
                "log in before then to bring it back.",
                "info",
            )
            response = redirect(url_for("main.index"), 303)
            clear_login_cookie(response)
            return response
    grace = current_app.config["ACCOUNT_DELETION_GRACE"].days
    return render_template("settings/delete.html", form=form, grace_days=grace), (
        422 if form.is_submitted() else 200
    )
