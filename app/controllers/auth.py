"""Signing up, logging in and out, and the links sent by email.

Links from emails never act on GET: the page shows a button that POSTs, so
mail scanners that open links cannot use them up.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support import limits
from app.controllers.support.authentication import (
    anonymous_required,
    begin_pending_login,
    clear_login_cookie,
    current_client,
    current_session,
    is_logged_in,
    login_required,
    signed_in_user,
)
from app.controllers.support.human_check import (
    answer_in,
    challenge_if,
    challenge_passed,
    refuse_answer,
)
from app.controllers.support.login_flow import finished
from app.core.database import keep_changes_on_error
from app.core.redirects import safe_next
from app.extensions import limiter
from app.forms.auth import EmailForm, LoginForm, NewPasswordForm, ResendForm, SignupForm
from app.forms.base import ConfirmForm, Form
from app.models import TokenPurpose
from app.services.accounts import credentials, registration, registrations
from app.services.errors import FormError
from app.services.security import challenges, login_guard, sessions
from app.services.security import login as login_policy
from app.views.joining import door_status
from app.views.moderation import refusal_message

bp = Blueprint("auth", __name__)


def _form_page(template: str, form: Form, **context: object) -> tuple[str, int]:
    """Render a form: 422 if it was sent and refused, 200 on first view."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _invalid_link() -> tuple[str, int]:
    return render_template("auth/link_invalid.html"), 400


@bp.route("/signup", methods=["GET", "POST"])
@anonymous_required
@limiter.limit(limits.configured("RATELIMIT_SIGNUP"), methods=["POST"])
@limiter.limit(
    limits.configured("RATELIMIT_EMAIL_ADDRESS"), key_func=limits.email_account, methods=["POST"]
)
def signup() -> ResponseReturnValue:
    form = SignupForm()
    invite = request.args.get("invite") or None
    door = registrations.door(invite)
    if not door.admits or door.problem:
        page = render_template("auth/signup.html", form=form, door=door, invite=None)
        return page, door_status(door)
    under_attack = login_guard.under_attack()
    context = {"door": door, "invite": invite if door.invite else None}
    if form.validate_on_submit():
        if form.website.data:
            return redirect(url_for("auth.check_inbox"), 303)  # a bot: pretend all is well
        if under_attack and not challenge_passed(form):
            return _form_page("auth/signup.html", form, challenge=challenges.new(), **context)
        try:
            registration.sign_up(
                form.username.data or "",
                form.email.data or "",
                form.password.data or "",
                current_client(),
                invite=invite,
            )
        except registration.RegistrationClosedError as closed:
            page = render_template("auth/signup.html", form=form, door=closed.door, invite=None)
            return page, door_status(closed.door)
        except FormError as error:
            login_guard.note_site_failure()
            for problem in error.errors:
                form.add_error(problem)
        else:
            # Decided before the sign-up, not from it: an address that has an account
            # gets the same page as a new one.
            review = "1" if door.reviewed else None
            return redirect(url_for("auth.check_inbox", review=review), 303)
    elif form.is_submitted():
        # A field the form refused (left empty, say) hides no other field's problem.
        fields = (form.username, form.email, form.password)
        passed = [None if field.errors else field.data or "" for field in fields]
        for problem in registration.field_problems(*passed):
            form.add_error(problem)
    return _form_page("auth/signup.html", form, challenge=challenge_if(under_attack), **context)


@bp.get("/signup/check-inbox")
def check_inbox() -> str:
    return render_template("auth/check_inbox.html", review=request.args.get("review") == "1")


@bp.route("/login", methods=["GET", "POST"])
@anonymous_required
@limiter.limit(limits.configured("RATELIMIT_LOGIN"), methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return _form_page(
            "auth/login.html", form, challenge=challenge_if(login_guard.under_attack())
        )
    remember, next_url = bool(form.remember.data), form.next.data or ""
    outcome = login_policy.attempt(
        form.identifier.data or "",
        form.password.data or "",
        current_client(),
        answer=answer_in(form),
        known_browser=request.cookies.get(current_app.config["KNOWN_BROWSER_COOKIE_NAME"]),
        trusted_browser=request.cookies.get(current_app.config["TRUSTED_BROWSER_COOKIE_NAME"]),
        remember=remember,
    )
    return _answer(form, outcome, remember=remember, next_url=next_url)


def _answer(
    form: LoginForm, outcome: login_policy.Outcome, *, remember: bool, next_url: str
) -> ResponseReturnValue:
    """The page, the status and the cookies for each outcome of a password login."""
    match outcome:
        case login_policy.Locked(seconds=seconds):
            return _locked(form, seconds)
        case login_policy.ChallengeRequired(challenge=challenge):
            refuse_answer(form)
            return _form_page("auth/login.html", form, challenge=challenge)
        case login_policy.Failed():
            return _failed(form, outcome)
        case login_policy.Blocked(refusal=refusal):
            form.form_errors.append(refusal_message(refusal))
            return render_template("auth/login.html", form=form), 403
        case login_policy.NeedsSecondStep(user=user):
            begin_pending_login(user, remember=remember, next_url=next_url)
            return redirect(url_for("mfa.verify"), 303)
        case _:
            return finished(outcome, remember=remember, next_url=next_url)


def _failed(form: LoginForm, failure: login_policy.Failed) -> ResponseReturnValue:
    keep_changes_on_error()  # the failure is kept: timeline, counters, a lock email
    if failure.locked_for:
        return _locked(form, failure.locked_for)
    form.form_errors.append("That username or email and password don't match. Try again.")
    return render_template("auth/login.html", form=form, challenge=failure.challenge), 401


def _locked(form: LoginForm, seconds: float) -> tuple[str, int, dict[str, str]]:
    """The same answer whether or not the account exists."""
    minutes = max(1, round(seconds / 60))
    form.form_errors.append(
        f"Too many failed attempts for this account. Try again in {minutes} minute"
        f"{'s' if minutes != 1 else ''}, or reset your password."
    )
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(int(seconds) or 1)}


@bp.post("/logout")
@login_required
def logout() -> Response:
    if ConfirmForm().validate_on_submit() and (session := current_session()) is not None:
        sessions.revoke(session, current_client(), logout=True)
    response = redirect(url_for("main.index"), 303)
    clear_login_cookie(response)
    flash("You are logged out.", "info")
    return response


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> ResponseReturnValue:
    email = registration.verification_link_email(token)
    if email is None:
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        if registration.verify_email(token, current_client()) is None:
            return _invalid_link()  # used a moment ago, in another tab
        flash("Thank you: your email address is confirmed.", "success")
        return redirect(url_for("main.index" if is_logged_in() else "auth.login"), 303)
    return render_template(
        "auth/confirm_link.html",
        form=form,
        title="Confirm your email address",
        lead=f"Confirm that {email} is your address.",
        action="Confirm my email address",
    )


@bp.post("/verify/resend")
@login_required
@limiter.limit(limits.configured("RATELIMIT_EMAIL"))
@limiter.limit(limits.configured("RATELIMIT_EMAIL_ADDRESS"), key_func=limits.signed_in_account)
def resend_verification() -> Response:
    form = ResendForm()
    user = signed_in_user()
    if form.validate_on_submit() and not user.is_verified:
        registration.send_verification(user)
        flash(f"We sent a new link to {user.email}.", "success")
    return redirect(safe_next(form.next.data or "", url_for("main.index")), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(limits.configured("RATELIMIT_EMAIL"), methods=["POST"])
@limiter.limit(
    limits.configured("RATELIMIT_EMAIL_ADDRESS"), key_func=limits.email_account, methods=["POST"]
)
def forgot_password() -> ResponseReturnValue:
    form = EmailForm()
    under_attack = login_guard.under_attack()
    if form.validate_on_submit():
        if under_attack and not challenge_passed(form):
            return _form_page("auth/forgot_password.html", form, challenge=challenges.new())
        credentials.request_password_reset(
            form.email.data or "",
            current_client(),
            answer_after_commit=current_app.config["MAIL_DELIVER_AFTER_COMMIT"],
        )
        return render_template("auth/check_inbox.html", reset=True)
    return _form_page("auth/forgot_password.html", form, challenge=challenge_if(under_attack))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    if credentials.reset_token_user(token) is None:
        return _invalid_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            done = credentials.reset_password(token, form.new_password.data or "", current_client())
        except FormError as error:
            form.add_error(error)
        else:
            if done is None:
                return _invalid_link()
            flash(
                "Your password was changed, and every session was signed out. Log in again.",
                "success",
            )
            response = redirect(url_for("auth.login"), 303)
            clear_login_cookie(response)
            return response
    return _form_page("auth/reset_password.html", form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> ResponseReturnValue:
    new_email = credentials.email_change_link_target(token)
    if new_email is None:
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            if credentials.confirm_email_change(token, current_client()) is None:
                return _invalid_link()
        except FormError as error:
            return render_template("auth/link_invalid.html", message=error.message), 409
        else:
            flash(f"Your email address is now {new_email}.", "success")
            return redirect(url_for("settings.index" if is_logged_in() else "auth.login"), 303)
    return render_template(
        "auth/confirm_link.html",
        form=form,
        title="Confirm your new email address",
        lead=f"Use {new_email} for your Sapling account from now on.",
        action="Use this address",
    )


@bp.route("/email/cancel/<token>", methods=["GET", "POST"])
def cancel_email_change(token: str) -> ResponseReturnValue:
    kind = credentials.cancel_link_kind(token)
    if kind is None:
        return _invalid_link()
    reclaims = kind == TokenPurpose.CANCEL_EMAIL_CHANGE
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            done = credentials.cancel_email_change(token, current_client())
        except FormError as error:
            return render_template("auth/link_invalid.html", message=error.message), 409
        if done is None:
            return _invalid_link()  # used a moment ago, in another tab
        if not reclaims:
            flash("The email change was stopped. Your account keeps this address.", "success")
            return redirect(url_for("main.index"), 303)
        flash(
            "Your account uses this address again and every device was signed out. "
            "Check this inbox for a link to choose a new password.",
            "success",
        )
        response = redirect(url_for("auth.login"), 303)
        clear_login_cookie(response)
        return response
    return render_template(
        "auth/confirm_link.html", form=form, danger=True, **_cancel_page(reclaims)
    )


def _cancel_page(reclaims: bool) -> dict[str, str]:
    if not reclaims:
        return {
            "title": "Stop the email change",
            "lead": "Keep this address on your Sapling account.",
            "action": "Stop the change",
        }
    return {
        "title": "Take your account back",
        "lead": "Your Sapling account will use this address again, even if the change already "
        "happened. Every device is signed out, the password stops working, and we send "
        "this address a link to choose a new one.",
        "action": "Take my account back",
    }
