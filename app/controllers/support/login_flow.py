"""The last step of every way to log in: start the session and set the cookies."""

from __future__ import annotations

from functools import partial

from flask import current_app, flash, jsonify, redirect, url_for
from werkzeug.wrappers import Response

from app.controllers.support.authentication import (
    clear_pending_login,
    current_client,
    set_known_browser_cookie,
    set_login_cookies,
)
from app.core import metrics
from app.core.database import after_commit
from app.core.redirects import safe_next
from app.models import User
from app.services.accounts import accounts
from app.services.moderation import moderation
from app.services.privacy import lifecycle
from app.services.security import two_step
from app.views.moderation import refusal_message


def refusal(user: User) -> str | None:
    """Why a moderator's block keeps ``user`` out (until when, and why), or None.

    Only ever shown to someone who has just proved they own the account (a right
    password, a second step or a passkey). A block whose time is up is lifted here.
    """
    refused = moderation.login_refusal(user)
    return refusal_message(refused) if refused else None


def finish_login(
    user: User, *, remember: bool, next_url: str, trust: bool = False, json: bool = False
) -> Response:
    client = current_client()
    clear_pending_login()
    blocked = refusal(user)  # every way in passes here: password, second step, passkey
    if blocked:
        return _refused(json, blocked, 403)
    if user.deletion_requested_at is not None:
        # Within the grace period of a self-deletion, logging in brings the account back;
        # otherwise (removed by a moderator, or due for erasure) it cannot log in at all.
        if not lifecycle.restorable(user):
            return _refused(json)
        lifecycle.restore(user, client)
        flash("Welcome back. Your account is restored, with everything in it.", "success")
    _, raw, device_id = accounts.log_in(user, client, remember=remember)
    after_commit(partial(metrics.count_login, success=True))  # once the session really exists
    target = safe_next(next_url, url_for("feed.home"))
    response = jsonify(redirect=target) if json else redirect(target, 303)
    set_login_cookies(response, raw, device_id, remember=remember)
    set_known_browser_cookie(response, user)
    if trust:
        config = current_app.config
        response.set_cookie(
            config["TRUSTED_BROWSER_COOKIE_NAME"],
            two_step.trust_browser(user, client),
            max_age=int(config["TRUSTED_BROWSER_DAYS"]) * 86400,
            path="/",
            secure=bool(config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
    return response


def _refused(
    json: bool, message: str = "We couldn't log you in with those details.", status: int = 401
) -> Response:
    if json:
        response = jsonify(error=message)
        response.status_code = status
        return response
    flash(message, "error")
    return redirect(url_for("auth.login"), 303)
