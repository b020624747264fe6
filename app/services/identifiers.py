"""Usernames and email addresses: what is allowed, and the canonical form that is stored."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

USERNAME_PATTERN = re.compile(r"^[a-z0-9._]{3,30}$")

# Names that would be confusing or dangerous as /@name or that a URL might need.
RESERVED_USERNAMES = frozenset(
    [
        "about",
        "abuse",
        "account",
        "accounts",
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "contact",
        "dashboard",
        "delete",
        "dev",
        "docs",
        "email",
        "explore",
        "feed",
        "help",
        "home",
        "info",
        "legal",
        "login",
        "logout",
        "mail",
        "me",
        "media",
        "moderator",
        "moderation",
        "new",
        "news",
        "notifications",
        "null",
        "official",
        "password",
        "privacy",
        "profile",
        "register",
        "report",
        "reset",
        "root",
        "sapling",
        "search",
        "security",
        "settings",
        "signin",
        "signout",
        "signup",
        "static",
        "status",
        "support",
        "system",
        "tags",
        "terms",
        "test",
        "undefined",
        "user",
        "users",
        "verify",
        "webmaster",
        "www",
        "_gallery",
        "healthz",
        "readyz",
        "metrics",
        "internal",
    ]
)


class IdentifierError(ValueError):
    """The input cannot be a username or an email address; the message says why."""


def canonical_username(raw: str) -> str:
    """NFKC-normalise and lower-case: fullwidth or upper-case look-alikes become one name."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def check_username(raw: str) -> str:
    username = canonical_username(raw)
    if not USERNAME_PATTERN.fullmatch(username):
        raise IdentifierError("Use 3 to 30 characters: letters a–z, digits, dots and underscores.")
    if username.startswith(".") or username.endswith(".") or ".." in username:
        raise IdentifierError("A username cannot start or end with a dot, or have two in a row.")
    if username in RESERVED_USERNAMES:
        raise IdentifierError("That username is reserved. Choose another.")
    return username


def check_email(raw: str) -> tuple[str, str]:
    """The normalised address to write to, and the lower-cased key it is unique by."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise IdentifierError("Enter a valid email address, like name@example.org.") from None
    email = result.normalized
    if len(email) > 254:
        raise IdentifierError("That email address is too long.")
    return email, email.casefold()
