"""Usernames and email addresses: what is allowed, and the canonical form that is stored.

An email address has one key (``canonical_email``), and every place that finds an
account by address or counts attempts against one uses it: sign-up, login, password
reset, email change and the per-address rate limits. Looking up and counting never
refuse: every spelling of an address (fullwidth letters, ideographic full stops,
invisible characters, any case) comes down to that one key, so no spelling reaches an
account under a limit key of its own. Giving an address to an account (``check_email``)
refuses invisible characters outright, so none is ever stored or mailed to.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress

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


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1): code
# points that show nothing, such as joiners, variation selectors, soft hyphens and bidi
# controls. With every other format character (category Cf), "invisible" below.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# The full stops IDNA reads as the dot between labels (UTS #46): U+3002, U+FF0E, U+FF61.
_FULL_STOPS = str.maketrans(dict.fromkeys("\u3002\uff0e\uff61", "."))
# Longer input is no address (the forms allow 254); this only bounds the work on it.
_MAX_INPUT = 1024


class IdentifierError(ValueError):
    """The input cannot be a username or an email address; the message says why."""


def canonical_username(raw: str) -> str:
    """NFKC-normalise and lower-case: fullwidth or upper-case look-alikes become one name."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def typed_username(raw: str) -> str:
    """A username as a person types their own, with or without the "@" pages show before it."""
    return canonical_username(raw).removeprefix("@")


def check_username(raw: str) -> str:
    username = canonical_username(raw)
    if not USERNAME_PATTERN.fullmatch(username):
        raise IdentifierError("Use 3 to 30 characters: letters a–z, digits, dots and underscores.")
    if username.startswith(".") or username.endswith(".") or ".." in username:
        raise IdentifierError("A username cannot start or end with a dot, or have two in a row.")
    if username in RESERVED_USERNAMES:
        raise IdentifierError("That username is reserved. Choose another.")
    return username


def _invisible(char: str) -> bool:
    return char > "\x7f" and (
        _IGNORABLE.match(char) is not None or unicodedata.category(char) == "Cf"
    )


def invisible_characters(text: str) -> list[str]:
    return [char for char in text if _invisible(char)]


def _fold(raw: str) -> str:
    """Compatibility forms to plain ones (NFKC), invisible characters out, dots to dots."""
    visible = "".join(char for char in raw[:_MAX_INPUT] if not _invisible(char))
    text = unicodedata.normalize("NFKC", visible)  # may compose what a joiner kept apart
    return "".join(char for char in text if not _invisible(char)).translate(_FULL_STOPS).strip()


def _normalised(text: str) -> str:
    """email-validator's form: the domain through IDNA, the local part NFC, its case kept."""
    return validate_email(text, check_deliverability=False).normalized


def canonical_email(raw: str) -> str:
    """The one key of an address: what accounts are unique by, found by, and limited by.

    Never fails: input that is no valid address still gets one key for all its spellings
    (no account has it, but a limit counted against it cannot be dodged either).
    """
    text = _fold(raw)
    with suppress(EmailNotValidError):
        text = _normalised(text)
    return unicodedata.normalize("NFKC", text.casefold())[:254]


def canonical_login(identifier: str) -> str:
    """What the login form's "username or email" comes down to: an address's key or a name."""
    if "@" in unicodedata.normalize("NFKC", identifier):
        return canonical_email(identifier)
    return canonical_username(identifier)


def check_email(raw: str) -> tuple[str, str]:
    """For an address given to an account: the form to write to, and its key.

    Invisible characters are refused, not dropped: what is stored and mailed to is
    exactly what the person can see they typed.
    """
    hidden = invisible_characters(raw)
    if hidden:
        char = hidden[0]
        name = unicodedata.name(char, "a format character").lower()
        raise IdentifierError(
            f"That email address contains an invisible character ({name}, "
            f"U+{ord(char):04X}). Type the address again without it."
        )
    try:
        email = _normalised(_fold(raw))
    except EmailNotValidError:
        raise IdentifierError("Enter a valid email address, like name@example.org.") from None
    if len(email) > 254:
        raise IdentifierError("That email address is too long.")
    return email, canonical_email(email)
