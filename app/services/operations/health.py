"""Readiness checks: can this instance serve real traffic right now?"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import text

from app.core.redis import RedisBreakerOpenError
from app.extensions import db, redis_client
from app.services.media.media_storage import media_storage

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


def check_database() -> str:
    db.session.execute(text("SELECT 1"))
    return OK


def check_redis() -> str:
    client = redis_client.client
    if client is None:
        return SKIPPED
    try:
        client.ping()
    except RedisBreakerOpenError:
        return FAILED  # the breaker logged the outage once; no traceback per probe
    return OK


def check_media() -> str:
    media_storage().check()  # a file written and removed, on the disk or in the bucket
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "media": check_media,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; the details of a failure go to the log, never to the caller.

    The caller rolls back afterwards: a failed database check leaves the session unusable.
    """
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            log.exception("Readiness check %r failed", name)
            results[name] = FAILED
    return all(status != FAILED for status in results.values()), results
