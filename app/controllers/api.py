"""The JSON API for apps, in Mastodon's shapes (https://docs.joinmastodon.org/methods/).

Every call but registering an app and the instance's description needs a bearer token
(services/api/oauth.py) with the call's scope; a cookie alone never authorises one, so
CSRF, which guards cookies, does not apply here. Errors are ``{"error": ...}`` with
Mastodon's status codes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.controllers.support.limits import configured
from app.extensions import csrf, limiter
from app.models import User
from app.services.accounts import registrations
from app.services.api import apps, oauth
from app.services.errors import FormError
from app.views.api import account_json, application_json, instance_v1, instance_v2

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

F = TypeVar("F", bound=Callable[..., Any])


def error(message: str, status: int) -> ResponseReturnValue:
    return jsonify(error=message), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    return error(exc.description or exc.name, exc.code or 500)


def scoped(scope: str) -> Callable[[F], F]:
    """The call needs a live bearer token with ``scope`` (or the broad scope over it), of a
    person whose account is active; the person is ``g.api_user``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                token = oauth.protector.acquire_token([scope])
            except OAuth2Error as refusal:
                if refusal.error == "insufficient_scope":
                    return error("This action is outside the approved scopes", 403)
                return error("The access token is invalid", 401)
            user = apps.token_user(token)
            if user is None:
                return error("The access token is invalid", 401)
            g.api_user = user
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def api_user() -> User:
    user: User = g.api_user
    return user


def _fields() -> dict[str, Any]:
    """The call's parameters: a JSON object, or form fields (Mastodon takes both)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form.to_dict()


@bp.post("/v1/apps")
@limiter.limit(configured("RATELIMIT_APP_REGISTRATION"))
def register_app() -> ResponseReturnValue:
    fields = _fields()
    text = {
        name: fields.get(name) for name in ("client_name", "redirect_uris", "scopes", "website")
    }
    if not all(isinstance(value, str | None) for value in text.values()):
        return error("Each field must be a string", 422)
    try:
        app, secret = oauth.register(
            text["client_name"] or "",
            text["redirect_uris"] or "",
            text["scopes"],
            text["website"] or "",
        )
    except FormError as refusal:
        return error(refusal.message, 422)
    return jsonify(application_json(app, secret))


@bp.get("/v1/accounts/verify_credentials")
@scoped("read:accounts")
def verify_credentials() -> ResponseReturnValue:
    return jsonify(account_json(api_user(), source=True))


@bp.get("/v1/instance")
@bp.get("/v1/instance/")
def instance() -> ResponseReturnValue:
    return jsonify(instance_v1(**_registrations()))


@bp.get("/v2/instance")
@bp.get("/v2/instance/")
def instance_two() -> ResponseReturnValue:
    return jsonify(instance_v2(**_registrations()))


def _registrations() -> dict[str, bool]:
    mode = registrations.mode().value
    return {
        "registrations_open": mode in ("open", "approval"),
        "approval_required": mode == "approval",
    }
