"""Rate limits from the config, per client and per target account.

A per-IP limit alone lets an attacker spread guesses for one account over many
addresses; the account keys here count attempts against the account itself. Limits
name a config key and read it on every request, so each app (and test) has its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, current_app, g, request
from flask_limiter import RouteLimit

from app.controllers.support.authentication import is_logged_in, pending_login, signed_in_user
from app.extensions import limiter
from app.services.accounts.identifiers import canonical_email

F = TypeVar("F", bound=Callable[..., Any])


def configured(config_key: str) -> Callable[[], str]:
    """The limit a config key holds, for ``limiter.limit(configured("RATELIMIT_LOGIN"))``."""
    return lambda: str(current_app.config[config_key])


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


def _client_and_account(
    client_key: str,
    account_key: str,
    account: Callable[[], str],
    *,
    methods: list[str] | None = None,
    deduct_when: Callable[[Response], bool] | None = None,
    exempt_when: Callable[[], bool] | None = None,
) -> tuple[RouteLimit, RouteLimit]:
    per_client = limiter.limit(configured(client_key), methods=methods, exempt_when=exempt_when)
    per_account = limiter.limit(
        configured(account_key),
        key_func=account,
        methods=methods,
        deduct_when=deduct_when,
        exempt_when=exempt_when,
    )
    return per_client, per_account


def _on_view(limits: tuple[RouteLimit, RouteLimit]) -> Callable[[F], F]:
    per_client, per_account = limits

    def decorate(view: F) -> F:
        return cast(F, per_client(per_account(view)))

    return decorate


def action_limits(config_key: str, methods: list[str] | None = None) -> Callable[[F], F]:
    """Per client and per account, for actions by signed-in people (posting, liking, following).

    The photo-sharing endpoints apply it as ``@action_limits("RATELIMIT_POSTING")``; a page
    that shows its form on GET counts only ``methods=["POST"]``.
    """
    return _on_view(_client_and_account(config_key, config_key, signed_in_account, methods=methods))


def api_limits(config_key: str) -> Callable[[F], F]:
    """The same limit as ``action_limits`` for an API call: per client, per account and per
    token (the account and token the bearer token names; applied inside ``api.scoped``)."""
    per_client = limiter.limit(configured(config_key))
    per_account = limiter.limit(configured(config_key), key_func=lambda: f"user:{g.api_user.id}")
    per_token = limiter.limit(configured(config_key), key_func=lambda: f"token:{g.api_token_id}")

    def decorate(view: F) -> F:
        return cast(F, per_client(per_account(per_token(view))))

    return decorate


def api_read_limits(view: F) -> F:
    """An API read, per account: an app scrolling or polling, however many tokens it holds
    (applied inside ``api.scoped``, which names the account)."""
    per_account = limiter.limit(
        configured("RATELIMIT_API_READ"), key_func=lambda: f"read:{g.api_user.id}"
    )
    return cast(F, per_account(view))


def limit_blueprint_actions(bp: Blueprint, config_key: str) -> None:
    """``action_limits`` on every POST of ``bp``, for a blueprint made of such actions.

    A blueprint's limits are checked before its views run, so before their login check:
    visitors are left out, and their posts go on to be sent to log in, uncounted.
    """
    for limit in _client_and_account(
        config_key, config_key, signed_in_account, methods=["POST"], exempt_when=_visitor
    ):
        limit(bp)


def _visitor() -> bool:
    return not is_logged_in()


def attempt_limits(
    client_key: str, account_key: str, account: Callable[[], str]
) -> Callable[[F], F]:
    """Per client on every attempt, and per account on failures only, so the owner's own
    successes never use the account's limit up (the second login step, re-authentication)."""
    return _on_view(_client_and_account(client_key, account_key, account, deduct_when=failed))
