"""Password hashing (argon2id) and the password policy (NIST SP 800-63B).

No composition rules and no truncation: a long passphrase is the best password.
Refused: too short, too long to be a password, on the common-password list, or
containing the username or the email address.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_HASHER_KEY = "sapling_password_hasher"
_T = TypeVar("_T")

# argon2 is meant to be expensive: each hash takes a core for a good fraction of a second.
# It runs on threads of the lowest scheduling priority (Linux's SCHED_IDLE, and a niceness
# PASSWORD_HASHING_NICENESS above the process's own, per thread; the threads argon2 starts
# for its lanes inherit both), so a burst of logins uses the CPU that pages leave free
# rather than slowing every page down. One pool per process, made after fork.
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def on_hashing_thread(work: Callable[[], _T]) -> _T:
    """Run ``work`` on a low-priority hashing thread and wait for it (inline if disabled)."""
    niceness = current_app.config["PASSWORD_HASHING_NICENESS"]
    if niceness <= 0:
        return work()
    return _hashing_pool(niceness).submit(work).result()


def _hashing_pool(niceness: int) -> ThreadPoolExecutor:
    global _pool, _pool_pid  # noqa: PLW0603 (one pool per process, as threads are)
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=os.cpu_count() or 1,
                thread_name_prefix="argon2",
                initializer=_lower_priority,
                initargs=(niceness,),
            )
            _pool_pid = os.getpid()
        return _pool


def _lower_priority(niceness: int) -> None:
    # Linux's SCHED_IDLE: run only on CPU time that normal threads leave over. Nice alone is
    # not enough, since argon2's many lane threads would add up to a large share. Where
    # either is not allowed the work still runs, at normal priority.
    thread = threading.get_native_id()
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    with contextlib.suppress(OSError):
        os.nice(niceness)  # relative, and on Linux for this thread only (nice(2) is per thread)


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
    return on_hashing_thread(lambda: hasher.hash(text))


def verify_password(password_hash: str, password: str) -> bool:
    hasher, text = _hasher(), normalize(password)

    def verify() -> bool:
        try:
            return hasher.verify(password_hash, text)
        except (VerificationError, InvalidHashError):
            return False

    return on_hashing_thread(verify)


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
