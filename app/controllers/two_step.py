"""The second login step, signing in with a passkey, and re-authentication ("sudo mode")."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support import limits
from app.controllers.support.authentication import (
    anonymous_required,
    current_client,
    current_session,
    login_required,
    pending_login,
    signed_in_user,
)
from app.controllers.support.login_flow import finish_login
from app.controllers.support.webauthn_json import (
    credential_from_request,
    json_error,
    start_ceremony,
    take_challenge,
)
from app.core import metrics
from app.core.database import keep_changes_on_error
from app.core.redirects import safe_next
from app.extensions import limiter
from app.forms.two_step import ReauthCodeForm, ReauthPasswordForm, RecoveryCodeForm, TotpCodeForm
from app.models import SecurityEventKind, User
from app.services.accounts.passwords import verify_password
from app.services.security import (
    login,
    passkeys,
    recovery_codes,
    security_log,
    sessions,
    totp,
    two_step,
)

# The endpoint names (mfa.*) predate the module name and stay: they are metric labels
# (docs/metrics.md) and rate-limit keys, which dashboards and stored windows rely on.
bp = Blueprint("mfa", __name__)

EXPIRED = "That sign-in took too long or was already used. Please start again."

second_step_limits = limits.attempt_limits(
    "RATELIMIT_SECOND_FACTOR", "RATELIMIT_SECOND_FACTOR_ACCOUNT", limits.pending_account
)
reauth_limits = limits.attempt_limits(
    "RATELIMIT_REAUTH", "RATELIMIT_REAUTH_ACCOUNT", limits.signed_in_account
)


def _failed_attempt(user: User) -> None:
    """Kept although the request fails: the owner sees it in the security timeline."""
    security_log.record(user, SecurityEventKind.SECOND_FACTOR_FAILED, current_client())
    keep_changes_on_error()


def _second_step_failed(user: User) -> None:
    """A wrong code or passkey at the second login step: a failed login, unlike re-auth."""
    _failed_attempt(user)
    metrics.count_login(success=False)


def _expired() -> Response:
    flash(EXPIRED, "error")
    return redirect(url_for("auth.login"), 303)


def _second_step_page(
    totp_form: TotpCodeForm, recovery_form: RecoveryCodeForm, status: int
) -> tuple[str, int]:
    pending = pending_login()
    user = pending[0] if pending else None
    return render_template(
        "auth/two_step.html",
        totp_form=totp_form,
        recovery_form=recovery_form,
        has_totp=user is not None and totp.is_enabled(user),
        has_passkeys=user is not None and two_step.passkey_count(user) > 0,
    ), status


@bp.get("/login/verify")
def verify() -> ResponseReturnValue:
    if pending_login() is None:
        return _expired()
    return _second_step_page(TotpCodeForm(), RecoveryCodeForm(), 200)


@bp.post("/login/verify")
@second_step_limits
def verify_totp() -> ResponseReturnValue:
    pending = pending_login()
    if pending is None:
        return _expired()
    user, remember, next_url = pending
    form = TotpCodeForm()
    if form.validate_on_submit():
        if totp.verify(user, form.code.data or ""):
            return finish_login(
                user, remember=remember, next_url=next_url, trust=bool(form.trust.data)
            )
        _second_step_failed(user)
        form.code.errors = [
            "That code didn't work. Codes change every 30 seconds; try the newest one."
        ]
        return _second_step_page(form, RecoveryCodeForm(), 401)
    return _second_step_page(form, RecoveryCodeForm(), 422)


@bp.post("/login/verify/recovery")
@second_step_limits
def verify_recovery_code() -> ResponseReturnValue:
    pending = pending_login()
    if pending is None:
        return _expired()
    user, remember, next_url = pending
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        left = recovery_codes.use(user, form.recovery_code.data or "", current_client())
        if left is not None:
            flash(f"You used a recovery code. {left} remain{'s' if left == 1 else ''}.", "info")
            return finish_login(
                user, remember=remember, next_url=next_url, trust=bool(form.trust.data)
            )
        _second_step_failed(user)
        form.recovery_code.errors = ["That recovery code is wrong or was already used."]
        return _second_step_page(TotpCodeForm(), form, 401)
    return _second_step_page(TotpCodeForm(), form, 422)


@bp.post("/login/verify/passkey/options")
@limiter.limit(limits.configured("RATELIMIT_SECOND_FACTOR"))
def second_step_passkey_options() -> Response | tuple[Response, int]:
    pending = pending_login()
    if pending is None:
        return json_error(EXPIRED, 409)
    ceremony = passkeys.authentication_options(pending[0])
    return start_ceremony("second-step", ceremony.options_json, ceremony.challenge)


@bp.post("/login/verify/passkey")
@second_step_limits
def second_step_passkey() -> Response | tuple[Response, int]:
    pending = pending_login()
    credential, body = credential_from_request()
    challenge = take_challenge("second-step")
    if pending is None or challenge is None:
        return json_error(EXPIRED, 409)
    user, remember, next_url = pending
    if passkeys.authenticate(credential, challenge, user) is None:
        _second_step_failed(user)
        return json_error("That passkey could not be verified.", 401)
    return finish_login(
        user, remember=remember, next_url=next_url, trust=bool(body.get("trust")), json=True
    )


@bp.post("/login/passkey/options")
@anonymous_required
@limiter.limit(limits.configured("RATELIMIT_SECOND_FACTOR"))
def passkey_login_options() -> Response:
    ceremony = passkeys.authentication_options(None)
    return start_ceremony("passwordless", ceremony.options_json, ceremony.challenge)


@bp.post("/login/passkey")
@anonymous_required
@limiter.limit(limits.configured("RATELIMIT_SECOND_FACTOR"))
def passkey_login() -> Response | tuple[Response, int]:
    """Sign in without a password: a discoverable passkey that verified the user."""
    credential, body = credential_from_request()
    challenge = take_challenge("passwordless")
    if challenge is None:
        return json_error("The sign-in took too long. Please try again.", 409)
    passkey = passkeys.authenticate(credential, challenge, None)
    if passkey is None:
        metrics.count_login(success=False)
        return json_error("That passkey is not registered here, or could not be verified.", 401)
    user = login.user_by_id(passkey.user_id)
    next_url = str(body.get("next") or "")
    return finish_login(user, remember=bool(body.get("remember")), next_url=next_url, json=True)


# --- Re-authentication ---------------------------------------------------------------------


def _reauth_page(
    password_form: ReauthPasswordForm, code_form: ReauthCodeForm, status: int
) -> tuple[str, int]:
    user = signed_in_user()
    has_totp, has_passkeys = totp.is_enabled(user), two_step.passkey_count(user) > 0
    return render_template(
        "auth/reauth.html",
        password_form=password_form,
        code_form=code_form,
        has_totp=has_totp,
        has_passkeys=has_passkeys,
        # The page behind asks for the second step (giving an app access): no password form.
        second_only=_second_only() and (has_totp or has_passkeys),
    ), status


def _second_only() -> bool:
    return request.values.get("second") == "1"


def _back(next_url: str | None) -> Response:
    return redirect(safe_next(next_url, url_for("settings.index")), 303)


@bp.get("/reauth")
@login_required
def reauth() -> ResponseReturnValue:
    target = request.args.get("next", "")
    return _reauth_page(ReauthPasswordForm(next=target), ReauthCodeForm(next=target), 200)


@bp.post("/reauth")
@login_required
@reauth_limits
def reauth_password() -> ResponseReturnValue:
    form = ReauthPasswordForm()
    user = signed_in_user()
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.password.data or ""):
            _mark_fresh(second_factor=False)
            return _back(form.next.data)
        security_log.record(
            user, SecurityEventKind.LOGIN_FAILED, current_client(), detail="re-authentication"
        )
        keep_changes_on_error()
        form.password.errors = ["That is not your password."]
        return _reauth_page(form, ReauthCodeForm(next=form.next.data), 401)
    return _reauth_page(form, ReauthCodeForm(next=form.next.data), 422)


@bp.post("/reauth/code")
@login_required
@reauth_limits
def reauth_code() -> ResponseReturnValue:
    form = ReauthCodeForm()
    user = signed_in_user()
    if form.validate_on_submit():
        if totp.verify(user, form.code.data or ""):
            _mark_fresh(second_factor=True)
            return _back(form.next.data)
        _failed_attempt(user)
        form.code.errors = ["That code didn't work. Try the newest one."]
        return _reauth_page(ReauthPasswordForm(next=form.next.data), form, 401)
    return _reauth_page(ReauthPasswordForm(next=form.next.data), form, 422)


@bp.post("/reauth/passkey/options")
@login_required
@limiter.limit(limits.configured("RATELIMIT_REAUTH"))
def reauth_passkey_options() -> Response:
    ceremony = passkeys.authentication_options(signed_in_user())
    return start_ceremony("reauth", ceremony.options_json, ceremony.challenge)


@bp.post("/reauth/passkey")
@login_required
@reauth_limits
def reauth_passkey() -> Response | tuple[Response, int]:
    credential, body = credential_from_request()
    challenge = take_challenge("reauth")
    if challenge is None:
        return json_error("That took too long. Please try again.", 409)
    if passkeys.authenticate(credential, challenge, signed_in_user()) is None:
        return json_error("That passkey could not be verified.", 401)
    _mark_fresh(second_factor=True)
    return jsonify(redirect=safe_next(str(body.get("next") or ""), url_for("settings.index")))


def _mark_fresh(*, second_factor: bool) -> None:
    session = current_session()
    if session is not None:
        sessions.mark_fresh(session, current_client(), second_factor=second_factor)
