"""An expiring key-value store: Redis when configured, else a per-process fallback.

Failed-login counters, locks, CAPTCHA answers and the under-attack flag live
here, never in the session cookie, so dropping cookies resets nothing. If Redis
is unreachable the app keeps working with per-process state, the same choice as
for rate limits. The Redis breaker (app/core/redis.py) logs the outage once and
then refuses at once, so a hung Redis is not waited for on every call.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from redis.exceptions import RedisError

from app.core.redis import is_outage
from app.extensions import redis_client

log = logging.getLogger(__name__)
_LOCAL_KEY = "sapling_local_store"


class _Local:
    """A tiny expiring key-value store for one process (development, or Redis outages).

    Not ``limits``' MemoryStorage: that holds integer counters only (CAPTCHA
    answers and passkey challenges are strings), has no read-and-delete for
    ``take``, and starts a timer thread per store.
    """

    def __init__(self) -> None:
        self.values: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()

    def _live(self, key: str) -> tuple[str, float] | None:
        item = self.values.get(key)
        if item is not None and item[1] <= time.monotonic():
            del self.values[key]
            return None
        return item

    def get(self, key: str) -> str | None:
        with self.lock:
            item = self._live(key)
            return item[0] if item else None

    def set(self, key: str, value: str, ttl: float) -> None:
        with self.lock:
            self.values[key] = (value, time.monotonic() + ttl)

    def incr(self, key: str, ttl: float) -> int:
        with self.lock:
            item = self._live(key)
            count = int(item[0]) + 1 if item else 1
            expires = item[1] if item else time.monotonic() + ttl
            self.values[key] = (str(count), expires)
            return count

    def ttl(self, key: str) -> float:
        with self.lock:
            item = self._live(key)
            return max(0.0, item[1] - time.monotonic()) if item else 0.0

    def delete(self, key: str) -> str | None:
        with self.lock:
            item = self._live(key)
            self.values.pop(key, None)
            return item[0] if item else None


def _local() -> _Local:
    store: _Local | None = current_app.extensions.get(_LOCAL_KEY)
    if store is None:
        store = current_app.extensions.setdefault(_LOCAL_KEY, _Local())
    return store


def _key(name: str) -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:guard:{name}"


def _redis_failed(error: RedisError) -> None:
    if not is_outage(error):  # an outage is the breaker's to log, once
        log.error("Redis refused a counter command (%s); using per-process counters", error)


def shared() -> bool:
    """Is this store the one every process sees (Redis, answering), not this process's own?"""
    client = redis_client.client
    if client is None:
        return False
    try:
        return bool(client.ping())
    except RedisError as error:
        _redis_failed(error)
        return False


def incr(name: str, ttl_seconds: float) -> int:
    """Add one; the window starts at the first increment and lasts ``ttl_seconds``."""
    client = redis_client.client
    if client is not None:
        try:
            pipe = client.pipeline()
            pipe.incr(_key(name))
            pipe.expire(_key(name), int(ttl_seconds) or 1, nx=True)
            return int(pipe.execute()[0])
        except RedisError as error:
            _redis_failed(error)
    return _local().incr(_key(name), ttl_seconds)


def get(name: str) -> str | None:
    client = redis_client.client
    if client is not None:
        try:
            value = client.get(_key(name))
            return value.decode() if isinstance(value, bytes) else None
        except RedisError as error:
            _redis_failed(error)
    return _local().get(_key(name))


def count(name: str) -> int:
    value = get(name)
    return int(value) if value and value.isdigit() else 0


def put(name: str, value: str, ttl_seconds: float | None) -> None:
    client = redis_client.client
    if client is not None:
        try:
            client.set(_key(name), value, ex=int(ttl_seconds) if ttl_seconds else None)
            return
        except RedisError as error:
            _redis_failed(error)
    _local().set(_key(name), value, ttl_seconds or 10 * 365 * 86400)


def ttl(name: str) -> float:
    """Seconds until ``name`` expires (0 if it does not exist)."""
    client = redis_client.client
    if client is not None:
        try:
            remaining = client.ttl(_key(name))
            return float(max(0, int(remaining)))
        except RedisError as error:
            _redis_failed(error)
    return _local().ttl(_key(name))


def take(name: str) -> str | None:
    """Read and delete in one step: a value that can be used only once."""
    client = redis_client.client
    if client is not None:
        try:
            value = client.getdel(_key(name))
            return value.decode() if isinstance(value, bytes) else None
        except RedisError as error:
            _redis_failed(error)
    return _local().delete(_key(name))


def delete(name: str) -> None:
    take(name)
