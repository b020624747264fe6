"""An optional Redis connection, present only when ``REDIS_URL`` is set, behind one breaker.

Every user of Redis in a process shares one connection pool, and with it one
circuit breaker (app/core/breaker.py): the app's client (login-guard counters, the
unread-badge cache, readiness) and Flask-Limiter's storage (app/core/rate_limit_storage.py).
The pool is where the breaker acts, so no caller can forget it:

- ``get_connection`` refuses at once, with ``RedisBreakerOpenError`` and no I/O, while the
  breaker is open; callers treat it like any other ``RedisError`` and fall back.
- the connections report each network failure (connect, send, read, including socket
  timeouts) and each answer to the breaker.

Socket timeouts are short (``REDIS_SOCKET_TIMEOUT``, 0.25 s by default: Redis answers a
healthy LAN request in well under a millisecond) and there are no retries, so the one
request that meets a hung Redis waits that long, once per breaker window.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from redis import ConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection, Connection
from redis.exceptions import ConnectionError, RedisError, ResponseError, TimeoutError
from redis.retry import Retry

from app.core.breaker import CircuitBreaker

log = logging.getLogger(__name__)
NETWORK_ERRORS = (ConnectionError, TimeoutError)
FALLBACK = (
    "rate limits and login-guard counters fall back to per-process storage, "
    "unread counts to the database"
)


class RedisBreakerOpenError(ConnectionError):
    """Refused without touching the network: the breaker is open."""


class _Watched(AbstractConnection):
    """Reports every network failure and every answer to the pool's breaker."""

    breaker: CircuitBreaker  # set on each class made by _watched()

    def connect(self) -> None:
        try:
            super().connect()  # type: ignore[no-untyped-call]
        except NETWORK_ERRORS as error:
            self.breaker.failed(error)
            raise

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        try:
            super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]
        except NETWORK_ERRORS as error:
            self.breaker.failed(error)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().read_response(*args, **kwargs)
        except NETWORK_ERRORS as error:
            self.breaker.failed(error)
            raise
        except ResponseError:
            self.breaker.succeeded()  # an error reply is still an answer
            raise
        self.breaker.succeeded()
        return response


def _watched(base: type[AbstractConnection], breaker: CircuitBreaker) -> type[AbstractConnection]:
    # A subclass per pool, of whichever class the URL chose (TCP, TLS or a Unix socket).
    return type(f"Watched{base.__name__}", (_Watched, base), {"breaker": breaker})


class GuardedConnectionPool(ConnectionPool):
    """A redis-py pool that asks the breaker before handing out a connection."""

    def __init__(
        self,
        *,
        breaker: CircuitBreaker,
        connection_class: type[AbstractConnection] = Connection,
        **kwargs: Any,
    ) -> None:
        self.breaker = breaker
        super().__init__(connection_class=_watched(connection_class, breaker), **kwargs)

    def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if not self.breaker.allow():
            raise RedisBreakerOpenError("not asking Redis until the breaker's window is over")
        return super().get_connection(*args, **kwargs)


def is_outage(error: RedisError) -> bool:
    """A network failure (the breaker has logged it) rather than a bug worth its own line."""
    return isinstance(error, NETWORK_ERRORS)


class RedisClient:
    """Holds one pool and one breaker per app; ``client`` is ``None`` without ``REDIS_URL``."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        app.extensions["sapling_redis"] = None
        app.extensions["sapling_redis_pools"] = {}
        app.extensions["sapling_redis_breaker"] = CircuitBreaker(
            "Redis", float(app.config["REDIS_BREAKER_SECONDS"]), log=log, fallback=FALLBACK
        )
        if url:
            app.extensions["sapling_redis"] = Redis(connection_pool=pool_for(app, url))

    @property
    def client(self) -> Redis | None:
        connection: Redis | None = current_app.extensions.get("sapling_redis")
        return connection


def pool_for(app: Flask, url: str) -> GuardedConnectionPool:
    """The app's pool for ``url``, made once: the same server is one pool and one breaker."""
    pools: dict[str, GuardedConnectionPool] = app.extensions["sapling_redis_pools"]
    if url not in pools:
        timeout = float(app.config["REDIS_SOCKET_TIMEOUT"])
        pools[url] = GuardedConnectionPool.from_url(
            url,
            breaker=app.extensions["sapling_redis_breaker"],
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            retry=Retry(NoBackoff(), 0),  # the breaker decides when to try again
        )
    return pools[url]
