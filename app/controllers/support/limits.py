"""Rate-limit keys for the target account, next to the per-client limits.

A per-IP limit alone lets an attacker spread guesses for one account over many
addresses; these keys count attempts against the account itself. Account limits
count only failures (``deduct_when``), so the owner's own successful logins
never use them up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response, current_app, request

from app.controllers.support.authentication import is_logged_in, pending_login, signed_in_user
from app.extensions import limiter
from app.services.accounts.identifiers import canonical_email

F = TypeVar("F", bound=Callable[..., Any])


def email_account() -> str:
    """The address a form names, by the same key the account lookup uses: no spelling of
    an address gets a counter of its own."""
    return "email:" + canonical_email(request.form.get("email", ""))


def pending_account() -> str:
    pending = pending_login()
    return f"user:{pending[0].id}" if pending else "user:none"


def signed_in_account() -> str:
    # Limits are checked before the view's login check runs, so anonymity is possible here.
    return f"user:{signed_in_user().id}" if is_logged_in() else "user:anonymous"


def failed(response: Response) -> bool:
    """Only refusals count against an account."""
    return response.status_code in {401, 403}


def limit(key: str) -> str:
    return str(current_app.config[key])


def action_limits(config_key: str, methods: list[str] | None = None) -> Callable[[F], F]:
    """Per client and per account, for actions by signed-in people (posting, liking, following).

    The photo-sharing endpoints apply it as ``@action_limits("RATELIMIT_POSTING")``; a page
    that shows its form on GET counts only ``methods=["POST"]``.
    """

    def decorate(view: F) -> F:
        per_client = limiter.limit(lambda: limit(config_key), methods=methods)
        per_account = limiter.limit(
            lambda: limit(config_key), key_func=signed_in_account, methods=methods
        )
        return cast(F, per_client(per_account(view)))

    return decorate
