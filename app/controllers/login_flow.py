"""The last step of every way to log in: start the session and set the cookies."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, url_for
from werkzeug.wrappers import Response

from app.core.authentication import clear_pending_login, current_client, set_login_cookies
from app.core.redirects import safe_next
from app.models import User
from app.services import accounts, lifecycle, second_factor


def finish_login(
    user: User, *, remember: bool, next_url: str, trust: bool = False, json: bool = False
) -> Response:
    client = current_client()
    clear_pending_login()
    if user.deletion_requested_at is not None:
        # Within the grace period of a self-deletion, logging in brings the account back;
        # otherwise (removed by a moderator, or due for erasure) it cannot log in at all.
        if not lifecycle.restorable(user):
            return _refused(json)
        lifecycle.restore(user, client)
        flash("Welcome back. Your account is restored, with everything in it.", "success")
    _, raw, device_id = accounts.log_in(user, client, remember=remember)
    target = safe_next(next_url, url_for("feed.home"))
    response = jsonify(redirect=target) if json else redirect(target, 303)
    set_login_cookies(response, raw, device_id, remember=remember)
    if trust:
        config = current_app.config
        response.set_cookie(
            config["TRUSTED_BROWSER_COOKIE_NAME"],
            second_factor.trust_browser(user, client),
            max_age=int(config["TRUSTED_BROWSER_DAYS"]) * 86400,
            path="/",
            secure=bool(config["SESSION_COOKIE_SECURE"]),
            httponly=True,
            samesite="Lax",
        )
    return response


def _refused(json: bool) -> Response:
    message = "We couldn't log you in with those details."
    if json:
        response = jsonify(error=message)
        response.status_code = 401
        return response
    flash(message, "error")
    return redirect(url_for("auth.login"), 303)
