"""The OAuth 2 authorization server, with Authlib: apps, codes with PKCE, tokens.

Authlib does the protocol (RFC 6749, PKCE by RFC 7636, revocation by RFC 7009); this
module gives it Sapling's storage and rules:

- **Apps** register themselves (``register``, ``POST /api/v1/apps`` as on Mastodon) and get
  a client id and secret; only the secret's SHA-256 is kept.
- **Codes** need a PKCE challenge, S256 only, and live ten minutes. A code is taken
  (deleted) when it is first presented, before anything is checked, so a replayed or
  raced code never yields a second token.
- **Tokens**: only the SHA-256 of each access and refresh token is stored. An access token
  lasts ``OAUTH_ACCESS_TOKEN_SECONDS``; a refresh token is given only when the person
  ticked "keep me signed in on this app", lasts ``OAUTH_REFRESH_TOKEN_DAYS``, and is
  replaced at each use (the old one ends). Ending every session ends every token too
  (``sessions.end_all_sessions``: a password change or reset, a deletion, a block).

Everything flushes; the request commits, once, as everywhere else.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, Response, current_app
from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import OAuthApp, OAuthCode, OAuthToken, User, utcnow
from app.models.oauth import MAX_APP_NAME, MAX_REDIRECT_URIS, MAX_WEBSITE
from app.services.errors import FormError
from app.services.security.digests import digest

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)
# Mastodon's scopes: the four broad ones, and the finer ones each of them covers.
BROAD = ("read", "write", "follow", "push")
FINE = {
    "read": ("accounts", "blocks", "bookmarks", "favourites", "follows", "mutes",
             "notifications", "search", "statuses"),
    "write": ("accounts", "blocks", "bookmarks", "favourites", "follows", "media", "mutes",
              "notifications", "statuses"),
    "follow": (),
    "push": (),
}  # fmt: skip
SCOPES = frozenset(BROAD) | {f"{broad}:{fine}" for broad, names in FINE.items() for fine in names}


def satisfies(granted: Iterable[str], required: str) -> bool:
    """Whether a token's scopes cover ``required``: itself, or its broad scope ("read"
    covers "read:accounts"); Mastodon's "follow" covers the follow and block scopes."""
    have = set(granted)
    broad = required.split(":", 1)[0]
    legacy = "follow" in have and required in {
        "read:follows", "write:follows", "read:blocks", "write:blocks",
        "read:mutes", "write:mutes",
    }  # fmt: skip
    return required in have or broad in have or legacy


def parse_scopes(text: str | None, default: str = "read") -> list[str]:
    """A space-separated scope list, each one known, in a stable order; FormError if not."""
    names = (text or default).split()
    unknown = sorted(set(names) - SCOPES)
    if unknown:
        raise FormError(f"Unknown scope: {', '.join(unknown)}.", "scopes")
    return sorted(set(names), key=lambda name: (name.split(":")[0] not in BROAD, name))


# -- Apps ---------------------------------------------------------------------------------


def _checked_redirects(text: str) -> list[str]:
    uris = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    if not uris:
        raise FormError("Give at least one redirect URI.", "redirect_uris")
    if len("\n".join(uris)) > MAX_REDIRECT_URIS:
        raise FormError("Those redirect URIs are too long.", "redirect_uris")
    for uri in uris:
        parts = urlsplit(uri)
        ok = uri == OUT_OF_BAND or (
            parts.scheme not in ("", "javascript", "data", "file", "vbscript")
            and not parts.fragment
            and (parts.netloc or parts.scheme not in ("http", "https"))
        )
        if not ok:
            raise FormError(f"{uri[:80]} is not a redirect URI Sapling accepts.", "redirect_uris")
    return uris


def register(
    name: str, redirect_uris: str, scopes: str | None, website: str
) -> tuple[OAuthApp, str]:
    """A new app (flushed) and its client secret, shown this once."""
    name = name.strip()
    if not name or len(name) > MAX_APP_NAME:
        raise FormError(f"Give the app a name of up to {MAX_APP_NAME} characters.", "client_name")
    website = website.strip()
    if len(website) > MAX_WEBSITE or (
        website and urlsplit(website).scheme not in ("http", "https")
    ):
        raise FormError("The website must be an http or https address.", "website")
    secret = secrets.token_urlsafe(32)
    app = OAuthApp(
        client_id=secrets.token_urlsafe(32),
        client_secret_digest=digest(secret),
        name=name,
        website=website,
        redirect_uris="\n".join(_checked_redirects(redirect_uris)),
        scopes=" ".join(parse_scopes(scopes)),
    )
    db.session.add(app)
    db.session.flush()
    return app, secret


class Client(ClientMixin):  # type: ignore[misc]  # (Authlib is untyped)
    """An app as Authlib asks about it."""

    def __init__(self, app: OAuthApp) -> None:
        self.app = app

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.app.redirect_uri_list
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.app.scopes.split())
        return " ".join(name for name in (scope or "read").split() if name in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uri_list

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret), self.app.client_secret_digest)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


def _query_client(client_id: str) -> Client | None:
    if not isinstance(client_id, str) or len(client_id) > 64:
        return None
    app = db.session.scalar(select(OAuthApp).where(OAuthApp.client_id == client_id))
    return Client(app) if app is not None else None


# -- Codes and tokens ---------------------------------------------------------------------


class _Code:
    """A taken authorization code (its row is gone), as the token exchange checks it."""

    def __init__(self, row: Any) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return str(self.row.redirect_uri)

    def get_scope(self) -> str:
        return str(self.row.scope)


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        row = OAuthCode(
            code_digest=digest(code),
            app_id=request.client.app.id,
            user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.payload.scope or "read",
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method") or "plain",
            keep_signed_in=_keep_signed_in.get(),
            expires_at=utcnow() + CODE_LIFETIME,
        )
        db.session.add(row)
        db.session.flush()

    def query_authorization_code(self, code: str, client: Client) -> _Code | None:
        if not isinstance(code, str) or len(code) > 200:
            return None
        # Taken at once (DELETE ... RETURNING): whatever happens next, this code is spent,
        # and of two requests racing with it only one gets the row.
        taken = db.session.execute(
            delete(OAuthCode)
            .where(OAuthCode.code_digest == digest(code))
            .returning(
                OAuthCode.app_id, OAuthCode.user_id, OAuthCode.redirect_uri, OAuthCode.scope,
                OAuthCode.code_challenge, OAuthCode.code_challenge_method,
                OAuthCode.keep_signed_in, OAuthCode.expires_at,
            )
        ).first()  # fmt: skip
        if taken is None or taken.app_id != client.app.id:
            return None
        expires_at = taken.expires_at
        if expires_at.tzinfo is None:  # SQLite's RETURNING skips the column's type
            expires_at = expires_at.replace(tzinfo=UTC)
        return _Code(taken) if expires_at > utcnow() else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        return None  # taken already, when it was first presented

    def authenticate_user(self, authorization_code: _Code) -> User | None:
        user = db.session.get(User, authorization_code.row.user_id)
        return user if user is not None and user.account_active else None

    def generate_token(self, *args: Any, include_refresh_token: bool = True, **kwargs: Any) -> Any:
        code = getattr(self.request, "authorization_code", None)
        keep = bool(code is not None and code.row.keep_signed_in)
        return super().generate_token(*args, include_refresh_token=keep, **kwargs)


class _RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> OAuthToken | None:
        if not isinstance(refresh_token, str) or len(refresh_token) > 200:
            return None
        token = db.session.scalar(
            select(OAuthToken).where(OAuthToken.refresh_digest == digest(refresh_token))
        )
        now = utcnow()
        if token is None or token.revoked_at is not None:
            return None
        if token.refresh_expires_at is None or token.refresh_expires_at <= now:
            return None
        return token

    def authenticate_user(self, refresh_token: OAuthToken) -> User | None:
        user = db.session.get(User, refresh_token.user_id)
        return user if user is not None and user.account_active else None

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        refresh_token.revoked_at = utcnow()
        db.session.flush()


def _save_token(token: dict[str, Any], request: Any) -> None:
    now = utcnow()
    refresh = token.get("refresh_token")
    days = int(current_app.config["OAUTH_REFRESH_TOKEN_DAYS"])
    row = OAuthToken(
        app_id=request.client.app.id,
        user_id=request.user.id,
        access_digest=digest(token["access_token"]),
        refresh_digest=digest(refresh) if refresh else None,
        scope=token.get("scope") or "read",
        access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=now + timedelta(days=days) if refresh else None,
    )
    db.session.add(row)
    db.session.flush()


class _Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    def query_token(self, token_string: str, token_type_hint: str | None) -> OAuthToken | None:
        if not isinstance(token_string, str) or len(token_string) > 200:
            return None
        hashed = digest(token_string)
        return db.session.scalar(
            select(OAuthToken).where(
                (OAuthToken.access_digest == hashed) | (OAuthToken.refresh_digest == hashed)
            )
        )

    def revoke_token(self, token: OAuthToken, request: Any) -> None:
        if token.app_id == request.client.app.id and token.revoked_at is None:
            token.revoked_at = utcnow()
            db.session.flush()


# -- Protecting the API -------------------------------------------------------------------


class _BearerValidator(BearerTokenValidator):  # type: ignore[misc]
    def authenticate_token(self, token_string: str) -> OAuthToken | None:
        if not isinstance(token_string, str) or len(token_string) > 200:
            return None
        return db.session.scalar(
            select(OAuthToken).where(OAuthToken.access_digest == digest(token_string))
        )

    @staticmethod
    def scope_insufficient(token_scopes: str, required_scopes: list[str] | None) -> bool:
        granted = (token_scopes or "").split()
        return bool(required_scopes) and not all(
            satisfies(granted, scope) for scope in required_scopes or ()
        )


class _S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE is required from the first request, and "plain" (the verifier sent as the
    challenge, or no method named) is refused: Authlib alone lets both through until the
    token request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send a code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only the S256 code_challenge_method is accepted.")
        super().validate_code_challenge(grant, redirect_uri)


protector = ResourceProtector()
protector.register_token_validator(_BearerValidator())
# The consent form's "keep me signed in on this app", for the code being made: read from
# the form the person sent, never from the app's authorization URL.
_keep_signed_in: ContextVar[bool] = ContextVar("oauth_keep_signed_in", default=False)


def consent_request(user: User) -> Any:
    """The authorization request being shown for consent (Authlib's grant: its client and
    scope), or OAuth2Error when it is not one Sapling will answer (unknown app, a redirect
    URI the app did not register, no S256 challenge)."""
    return _server().get_consent_grant(end_user=user)


def authorize(grant: Any, user: User | None, *, keep_signed_in: bool = False) -> Response:
    """The response to the consent form for ``grant`` (``consent_request``'s): a redirect
    to the app with a code (``user`` said yes) or with ``access_denied`` (None)."""
    reset = _keep_signed_in.set(keep_signed_in)
    try:
        server = _server()
        return cast(Response, server.create_authorization_response(grant=grant, grant_user=user))
    finally:
        _keep_signed_in.reset(reset)


def init_oauth(app: Flask) -> None:
    """The app's authorization server (create_app calls it): one per app, as its settings
    (the tokens' lifetimes) are the app's."""
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    seconds = int(app.config["OAUTH_ACCESS_TOKEN_SECONDS"])
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": seconds, "refresh_token": seconds}
    )
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(_AuthorizationCodeGrant, [_S256Only(required=True)])
    server.register_grant(_RefreshTokenGrant)
    server.register_endpoint(_Revocation)
    app.extensions["sapling_oauth"] = server


def _server() -> AuthorizationServer:
    return current_app.extensions["sapling_oauth"]


def token_response() -> Response:
    """``POST /oauth/token``: a code (with its PKCE verifier) or a refresh token, for tokens."""
    return cast(Response, _server().create_token_response())


def revocation_response() -> Response:
    """``POST /oauth/revoke`` (RFC 7009): the token ends; 200 whether or not it existed."""
    return cast(Response, _server().create_endpoint_response(_Revocation.ENDPOINT_NAME))


def revoke_all(user: User, now: datetime | None = None) -> int:
    """End every token of the person (flushed); how many were live."""
    result = db.session.execute(
        update(OAuthToken)
        .where(OAuthToken.user_id == user.id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
