"""Warnings an operator must see when the app starts, logged once per process.

Production refuses what cannot be safe (app/config_checks.py). What is only weaker,
such as running without Redis, starts anyway, but says so loudly in the log.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger("sapling.startup")
_warned: set[str] = set()
_warned_lock = threading.Lock()

NO_REDIS = (
    "REDIS_URL is not set: rate limits, failed-login counters and account locks, CAPTCHA "
    "answers, passkey challenges and the under-attack switch are kept per process, so every "
    "gunicorn worker and every app host counts on its own (a guesser gets that many times "
    "the limits) and a restart forgets them. Set REDIS_URL (docs/operations.md)."
)


def warn_at_start(app: Flask) -> None:
    """Log each start-up warning that applies, at most once in this process."""
    if app.config["ENV_NAME"] == "production" and not app.config.get("REDIS_URL"):
        _warn_once("no-redis", NO_REDIS)


def _warn_once(key: str, message: str) -> None:
    # An app factory may run more than once per process (the CLI, tests, a preloaded
    # master): one line per process is loud enough without flooding the log.
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    log.warning(message)
