"""Brute-force protection: failed-login counters, the challenge, lockouts, under-attack mode.

Only failures count. A few failures for an account, or from a client, and a
challenge is required (a proof-of-work, with the CAPTCHA behind it). More, and
the account is locked with exponential backoff (1, 2, 4 ... 60 minutes) and its
owner is emailed a password-reset link. The lock holds only for unknown
browsers: a browser with a valid device cookie (services/security/known_browsers.py)
has counters and a lock of its own, so strangers can never lock the owner's
own browser out. A burst of failures across the whole site turns on "under
attack" mode (the challenge for every unknown browser on sign-up, login and
reset) until things are quiet again.
"""

from __future__ import annotations

import time

from flask import current_app

from app.models import User
from app.services.accounts.identifiers import canonical_login
from app.services.operations import mailer
from app.services.security import expiring_store

WINDOW = 3600  # failures are remembered for an hour
LEVEL_MEMORY = 24 * 3600  # lock lengths keep doubling within a day


def account_key(identifier: str, user: User | None = None) -> str:
    """One counter per account, whether it was named by username or by email."""
    if user is not None:
        return f"user:{user.id}"
    return "name:" + canonical_login(identifier)[:254]


def _config(name: str) -> int:
    return int(current_app.config[name])


def captcha_required(account: str, client: str) -> bool:
    return (
        expiring_store.count(f"fail:acct:{account}") >= _config("CAPTCHA_AFTER_ACCOUNT_FAILURES")
        or expiring_store.count(f"fail:ip:{client}") >= _config("CAPTCHA_AFTER_CLIENT_FAILURES")
        or under_attack()
    )


def locked_for(account: str) -> float:
    """Seconds until the account may be tried again (0 when it is not locked)."""
    return expiring_store.ttl(f"lock:{account}")


def record_failure(account: str, client: str, user: User | None) -> float:
    """Count a failed login; returns the lock length in seconds if this failure locked it."""
    expiring_store.incr(f"fail:ip:{client}", WINDOW)
    note_site_failure()
    minutes = _count_and_maybe_lock(account)
    if minutes and user is not None:
        mailer.queue(
            user.email,
            "account_locked",
            "Your Sapling account was locked after failed logins",
            user=user,
            minutes=minutes,
            reset_url=mailer.link("auth.forgot_password"),
        )
    return minutes * 60.0


def known_browser_key(nonce: str) -> str:
    """The counters of one device cookie: its own failures, its own lock."""
    return f"browser:{nonce}"


def record_known_browser_failure(browser: str) -> float:
    """A wrong password from a browser with a valid device cookie locks only that cookie.

    No CAPTCHA and no email: the browser has proved itself before, and most such
    failures are the owner's own typing. The account's counters are not touched.
    """
    note_site_failure()
    return _count_and_maybe_lock(browser) * 60.0


def _count_and_maybe_lock(account: str) -> int:
    """One more failure; the lock's length in minutes if this one set a lock, else 0."""
    failures = expiring_store.incr(f"fail:acct:{account}", WINDOW)
    lock_after = _config("LOCK_AFTER_FAILURES")
    if failures < lock_after or (failures - lock_after) % _config("LOCK_EVERY_FAILURES") != 0:
        return 0
    level = expiring_store.incr(f"lock-level:{account}", LEVEL_MEMORY)
    minutes = min(int(2 ** max(level - 1, 0)), _config("LOCK_MAX_MINUTES"))
    expiring_store.put(f"lock:{account}", "1", minutes * 60)
    return minutes


def record_success(account: str) -> None:
    expiring_store.delete(f"fail:acct:{account}")


def clear(account: str) -> None:
    """After a password reset the owner starts afresh."""
    for name in (f"fail:acct:{account}", f"lock:{account}", f"lock-level:{account}"):
        expiring_store.delete(name)


def note_site_failure() -> None:
    """Failed logins and sign-ups across the site; a burst turns on under-attack mode.

    The count is this minute's plus the last one's, so a burst that straddles a minute
    boundary still counts whole.
    """
    minute = int(time.time() // 60)
    failures = expiring_store.incr(f"site-fail:{minute}", 120)
    failures += expiring_store.count(f"site-fail:{minute - 1}")
    if failures >= _config("UNDER_ATTACK_THRESHOLD"):
        expiring_store.put("under-attack:auto", "1", _config("UNDER_ATTACK_QUIET_SECONDS"))


def under_attack() -> bool:
    manual = expiring_store.get("under-attack:manual") == "on"
    return manual or expiring_store.get("under-attack:auto") == "1"


def set_under_attack(on: bool) -> None:
    """The operator's switch; turning it off also ends an automatic episode."""
    if on:
        expiring_store.put("under-attack:manual", "on", None)
    else:
        expiring_store.delete("under-attack:manual")
        expiring_store.delete("under-attack:auto")


def under_attack_status() -> str:
    if expiring_store.get("under-attack:manual") == "on":
        return "on (set by an operator)"
    if expiring_store.get("under-attack:auto") == "1":
        quiet = int(expiring_store.ttl("under-attack:auto"))
        return f"on (automatic, ends after {quiet} quiet seconds)"
    return "off"
