"""Password hashing (argon2id) and the password policy (NIST SP 800-63B).

No composition rules and no truncation: a long passphrase is the best password.
Refused: too short, too long to be a password, on the common-password list, or
containing the username or the email address.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app.services.accounts import hashing

_HASHER_KEY = "sapling_password_hasher"


def _hasher() -> PasswordHasher:
    hasher: PasswordHasher | None = current_app.extensions.get(_HASHER_KEY)
    if hasher is None:
        config = current_app.config
        hasher = PasswordHasher(
            time_cost=config["ARGON2_TIME_COST"],
            memory_cost=config["ARGON2_MEMORY_COST"],
            parallelism=config["ARGON2_PARALLELISM"],
        )
        current_app.extensions[_HASHER_KEY] = hasher
        # Verified when no account matches, so an unknown name costs as much as a wrong password.
        current_app.extensions[_HASHER_KEY + "_dummy"] = hasher.hash(secrets.token_urlsafe(16))
    return hasher


def normalize(password: str) -> str:
    """NFKC, as NIST advises, so the same passphrase typed on two keyboards matches."""
    return unicodedata.normalize("NFKC", password)


# Not an argon2 hash, so no password verifies against it: set when an account is taken back
# from someone who knew the password, until the owner chooses a new one by a reset link.
UNUSABLE_PASSWORD_HASH = "!unusable: reset by email"  # noqa: S105 (a marker, no secret)


def hash_password(password: str) -> str:
    hasher, text = _hasher(), normalize(password)
    return hashing.run(lambda: hasher.hash(text))


def verify_password(password_hash: str, password: str) -> bool:
    hasher, text = _hasher(), normalize(password)

    def verify() -> bool:
        try:
            return hasher.verify(password_hash, text)
        except (VerificationError, InvalidHashError):
            return False

    return hashing.run(verify)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the configured ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def spend_verification_time(password: str) -> None:
    """Do the work of one verification for a login that matched no account."""
    _hasher()
    verify_password(current_app.extensions[_HASHER_KEY + "_dummy"], password)


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's 30,000 most common passwords, shipped as data (app/data/common-passwords.*)."""
    listed = resources.files("app").joinpath("data", "common-passwords.txt")
    return frozenset(listed.read_text(encoding="utf-8").split())


def password_problems(password: str, *, username: str = "", email: str = "") -> list[str]:
    """Why this password is refused, in words the person can act on (empty if it is fine)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    password = normalize(password)
    folded = password.casefold()
    problems = []
    if len(password) < minimum:
        problems.append(
            f"Use at least {minimum} characters. A few unrelated words make a strong one."
        )
    if len(password) > maximum:
        problems.append(f"Use at most {maximum} characters.")
    if folded in _common_passwords() or folded.strip("0123456789!.") in _common_passwords():
        problems.append("This password is on a list of commonly used passwords. Choose another.")
    local_part = email.split("@", 1)[0].casefold()
    if len(username) >= 3 and username.casefold() in folded:
        problems.append("Your password must not contain your username.")
    elif len(local_part) >= 3 and local_part in folded:
        problems.append("Your password must not contain your email address.")
    return problems
