"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies").

A browser where the owner has logged in carries a token for that account:
``<user id>.<issued at>.<random nonce>.<HMAC>``, the HMAC (key derived from
SECRET_KEY) covering those three and the account's session epoch. Failures
from other browsers never lock a browser with a valid token out; its own
failures are counted per nonce (services/security/login_guard.py), so a stolen cookie
buys no unlimited guessing.

Nothing is stored: the HMAC proves we issued the token, each login hands out a
fresh one, ending an account's sessions (password change or reset, "sign out
everywhere") rotates the epoch and with it every token of that account, and
rotating SECRET_KEY retires them all. This is not the ``sapling_device`` cookie
of the Devices page: that one is a plain random id the server adopts from the
browser, shared by every account there, so it cannot vouch for anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.models import User

MAX_TOKENS = 5  # accounts one browser vouches for (a family computer)
MAX_COOKIE_LENGTH = 1024
SEPARATOR = "~"
# ASCII digits and base64url only: "\d" would also take other scripts' digits.
_TOKEN = re.compile(r"[0-9]{1,12}\.[0-9]{1,12}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")


def _key() -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"sapling-known-browser",
        info=b"device cookie mac",
    ).derive(str(current_app.config["SECRET_KEY"]).encode())


def _mac(user: User, issued: int, nonce: str) -> str:
    message = f"{user.id}.{issued}.{nonce}.{user.session_epoch}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def lifetime_seconds() -> int:
    return int(current_app.config["KNOWN_BROWSER_DAYS"]) * 86400


def issue(user: User, now: float | None = None) -> str:
    """A new token for ``user`` (``now`` lets tests make an old one)."""
    issued = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(16)
    return f"{user.id}.{issued}.{nonce}.{_mac(user, issued, nonce)}"


def _tokens(cookie: str | None) -> list[str]:
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return []
    return [token for token in cookie.split(SEPARATOR)[:MAX_TOKENS] if _TOKEN.fullmatch(token)]


def vouched(cookie: str | None, user: User | None) -> str | None:
    """The nonce of the cookie's valid token for ``user``, or None.

    Forged, tampered, expired, from an older epoch or for another account: None,
    and the browser is treated as unknown.
    """
    if user is None:
        return None
    now = time.time()
    for token in _tokens(cookie):
        user_id, issued, nonce, mac = token.split(".")
        if int(user_id) != user.id or not now - lifetime_seconds() < int(issued) <= now + 60:
            continue
        if hmac.compare_digest(mac, _mac(user, int(issued), nonce)):
            return nonce
    return None


def renewed(cookie: str | None, user: User) -> str:
    """The cookie's next value: a fresh token for ``user`` first, other accounts' after it."""
    others = [token for token in _tokens(cookie) if token.split(".")[0] != str(user.id)]
    return SEPARATOR.join([issue(user), *others][:MAX_TOKENS])
