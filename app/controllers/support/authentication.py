"""Who is logged in: the auth cookie carries only a random session id.

Flask-Login supplies ``current_user`` and ``login_required``; identity is
loaded per request from the server-side session record (``request_loader``),
never from Flask's signed cookie, so revoking the record logs the browser out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import flask_login
from flask import Flask, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.core.client_ip import client_ip
from app.core.redirects import safe_next
from app.extensions import login_manager
from app.models import User, UserSession
from app.services.security import known_browsers, login, sessions, two_step
from app.services.security.clients import Client, device_label

F = TypeVar("F", bound=Callable[..., Any])

# Flask-Login ships without types; this is its decorator with a signature mypy can check.
login_required = cast(Callable[[F], F], flask_login.login_required)
DEVICE_COOKIE_DAYS = 400  # the longest lifetime browsers allow


def install_authentication(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.request_loader(_load_user_from_session_cookie)


def _load_user_from_session_cookie(_request: Any) -> User | None:
    # The manager is one object for the process, so this reads the config of the app
    # serving the request, never of the app that was built last.
    raw = request.cookies.get(current_app.config["AUTH_COOKIE_NAME"])
    session = sessions.session_from_token(raw)
    if session is None:
        return None
    sessions.touch(session)
    g.user_session = session
    return session.user


def is_logged_in() -> bool:
    return bool(cast(Any, current_user).is_authenticated)


def signed_in_user() -> User:
    """The logged-in user, typed; only for views behind ``login_required``."""
    user = current_user._get_current_object()  # unwrap Flask-Login's proxy
    if not isinstance(user, User):
        raise RuntimeError("signed_in_user() used on a page that does not require login")
    return user


def viewer() -> User | None:
    """The logged-in user, or None for a visitor: for pages anyone may see."""
    return signed_in_user() if is_logged_in() else None


def current_session() -> UserSession | None:
    is_logged_in()  # makes Flask-Login load the user, and with it the session
    session: UserSession | None = g.get("user_session")
    return session


def current_client() -> Client:
    return Client(
        ip=client_ip(),
        device_label=device_label(request.headers.get("User-Agent", "")),
        device_id=request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"]) or None,
    )


def set_login_cookies(
    response: Response, raw_session: str, device_id: str, *, remember: bool
) -> None:
    config = current_app.config
    secure = bool(config["SESSION_COOKIE_SECURE"])
    max_age = int(config["SESSION_REMEMBER_LIFETIME"].total_seconds()) if remember else None
    # Without "remember me" this is a browser-session cookie: it dies with the browser.
    response.set_cookie(
        config["AUTH_COOKIE_NAME"],
        raw_session,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        device_id,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        path="/",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


def set_known_browser_cookie(response: Response, user: User) -> None:
    """Vouch for this browser on ``user``'s account from now on (a fresh device token)."""
    config = current_app.config
    name = config["KNOWN_BROWSER_COOKIE_NAME"]
    response.set_cookie(
        name,
        known_browsers.renewed(request.cookies.get(name), user),
        max_age=known_browsers.lifetime_seconds(),
        path="/",
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def clear_login_cookie(response: Response) -> None:
    config = current_app.config
    response.delete_cookie(
        config["AUTH_COOKIE_NAME"],
        path="/",
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


def anonymous_required(view: F) -> F:
    """For log-in and sign-up pages: a logged-in visitor goes home instead."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if is_logged_in():
            return redirect(url_for("main.index"))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def verified_required(view: F) -> F:
    """For posting, commenting and following: the email address must be verified first."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_logged_in():
            return login_manager.unauthorized()
        if not signed_in_user().is_verified:
            flash("Please confirm your email address first: we sent you a link.", "error")
            return redirect(url_for("main.index")), 303
        return view(*args, **kwargs)

    return cast(F, wrapper)


PENDING_LOGIN_KEY = "pending_login"


def begin_pending_login(user: User, *, remember: bool, next_url: str) -> None:
    """The password was right; the second step is still to come (kept in the signed cookie)."""
    session[PENDING_LOGIN_KEY] = {
        "uid": user.id,
        "epoch": user.session_epoch,
        "at": time.time(),
        "remember": remember,
        "next": next_url,
    }


def pending_login() -> tuple[User, bool, str] | None:
    """(user, remember, next) while a second step is pending and younger than 5 minutes."""
    data = session.get(PENDING_LOGIN_KEY)
    if not isinstance(data, dict):
        return None
    ttl = current_app.config["MFA_PENDING_TTL"].total_seconds()
    if not isinstance(data.get("at"), int | float) or time.time() - data["at"] > ttl:
        session.pop(PENDING_LOGIN_KEY, None)
        return None
    uid, epoch = data.get("uid"), data.get("epoch")
    user = None
    if isinstance(uid, int) and isinstance(epoch, str):
        user = login.pending_user(uid, epoch)
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        return None
    return user, bool(data.get("remember")), str(data.get("next") or "")


def clear_pending_login() -> None:
    session.pop(PENDING_LOGIN_KEY, None)


def _return_to() -> str:
    """Where to continue after re-authenticating: this page, or for a form post, its page."""
    if request.method == "GET":  # with its query: the consent page's is the whole request
        query = request.query_string.decode("latin-1")
        return f"{request.path}?{query}" if query else request.path
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc in ("", request.host)
    return safe_next(referrer.path if same_site else None, url_for("settings.index"))


def fresh_required(view: F) -> F:
    """Sensitive actions: the person must have proved who they are in the last 5 minutes.

    Checked on every method, so a form left open in a stale tab cannot slip through.
    """
    return _freshness_gate(view, second_factor=False)


def second_step_fresh_required(view: F) -> F:
    """As ``fresh_required``, and where the account has a second step, the proof must have
    included it (a code or a passkey): the password alone does not do."""
    return _freshness_gate(view, second_factor=True)


def _freshness_gate(view: F, *, second_factor: bool) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_logged_in():
            return login_manager.unauthorized()
        current = current_session()
        strong = second_factor and two_step.is_enabled(signed_in_user())
        if current is None or not sessions.is_fresh(current, second_factor=strong):
            if request.is_json:  # the passkey script: say so, don't redirect a fetch
                return jsonify(
                    error="Please confirm it's you first.", reauth=url_for("mfa.reauth")
                ), 403
            flash("Please confirm it's you to continue.", "info")
            target = _return_to()
            if strong:
                return redirect(url_for("mfa.reauth", next=target, second="1"), 303)
            return redirect(url_for("mfa.reauth", next=target), 303)
        return view(*args, **kwargs)

    return cast(F, wrapper)
