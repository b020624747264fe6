"""Flask-Limiter's storage: Redis through the app's breaker, or this process when it is open.

Flask-Limiter's own fallback (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) notices a dead
storage only by an exception, which with a hung Redis means a socket timeout, and
then re-probes it on its own schedule (after 1, 2, 4 ... 32 s, then again from 1 s),
logging its own lines, with state kept on the module-level ``limiter`` rather than
per app. So the limiter is given a storage that never fails: each call goes to Redis
while the shared breaker is closed, and to an in-memory store in this process while it
is open. The same breaker, the same log line, the same moment of recovery as every
other user of Redis. Flask-Limiter's fallback stays on, as a last net for errors that
are not outages.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.storage.base import MovingWindowSupport
from redis.exceptions import RedisError

from app.core.redis import NETWORK_ERRORS, GuardedConnectionPool, pool_for

SCHEME_PREFIX = "sapling+"


class BreakerStorage(Storage, MovingWindowSupport):
    """``sapling+redis://...``: Redis while it answers, per-process memory while it does not."""

    STORAGE_SCHEME = [SCHEME_PREFIX + s for s in ("redis", "rediss", "redis+unix")]  # noqa: RUF012

    def __init__(
        self,
        uri: str,
        *,
        guarded_pool: GuardedConnectionPool,
        wrap_exceptions: bool = False,
        **_options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.breaker = guarded_pool.breaker
        self.redis = RedisStorage(uri.removeprefix(SCHEME_PREFIX), connection_pool=guarded_pool)
        self.memory = MemoryStorage()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return RedisError

    def _call(self, method: str, *args: Any) -> Any:
        if self.breaker.allow():
            try:
                return getattr(self.redis, method)(*args)
            except NETWORK_ERRORS:
                pass  # the breaker is open now (and said so); this call counts here
        return getattr(self.memory, method)(*args)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        result: int = self._call("incr", key, expiry, amount)
        return result

    def get(self, key: str) -> int:
        result: int = self._call("get", key)
        return result

    def get_expiry(self, key: str) -> float:
        result: float = self._call("get_expiry", key)
        return result

    def check(self) -> bool:
        return True  # always usable: that is the point of it

    def reset(self) -> int | None:
        result: int | None = self._call("reset")
        return result

    def clear(self, key: str) -> None:
        self._call("clear", key)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        result: bool = self._call("acquire_entry", key, limit, expiry, amount)
        return result

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        result: tuple[float, int] = self._call("get_moving_window", key, limit, expiry)
        return result


def configure(app: Flask) -> None:
    """Point Flask-Limiter at BreakerStorage when its storage is Redis (call before init_app)."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    if not uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return
    app.config["RATELIMIT_STORAGE_URI"] = SCHEME_PREFIX + uri
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    options["guarded_pool"] = pool_for(app, uri.replace("redis+unix://", "unix://", 1))
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
