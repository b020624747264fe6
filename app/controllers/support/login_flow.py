"""The last step of every way to log in: the cookies of a finished login, or why not."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, url_for
from werkzeug.wrappers import Response

from app.controllers.support.authentication import (
    clear_pending_login,
    current_client,
    set_known_browser_cookie,
    set_login_cookies,
)
from app.core.redirects import safe_next
from app.models import User
from app.services.security import login
from app.views.moderation import refusal_message


def finish_login(
    user: User, *, remember: bool, next_url: str, trust: bool = False, json: bool = False
) -> Response:
    """After the second step or a passkey: ``login.finish`` decides, this answers."""
    outcome = login.finish(
        user, current_client(), remember=remember, trust=trust, second_factor=True
    )
    return finished(outcome, remember=remember, next_url=next_url, json=json)


def finished(
    outcome: login.Finished, *, remember: bool, next_url: str, json: bool = False
) -> Response:
    """Set the session's cookies and go on to ``next_url``; or say why not."""
    clear_pending_login()
    if isinstance(outcome, login.Blocked):
        return _refused(json, refusal_message(outcome.refusal), 403)
    if isinstance(outcome, login.Deleted):
        return _refused(json)
    if outcome.restored:
        flash("Welcome back. Your account is restored, with everything in it.", "success")
    target = safe_next(next_url, url_for("feed.home"))
    response = jsonify(redirect=target) if json else redirect(target, 303)
    set_login_cookies(response, outcome.session_token, outcome.device_id, remember=remember)
    set_known_browser_cookie(response, outcome.user)
    if outcome.trusted_browser is not None:
        config = current_app.config
        response.set_cookie(
            config["TRUSTED_BROWSER_COOKIE_NAME"],
            outcome.trusted_browser,
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
