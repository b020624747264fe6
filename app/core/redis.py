"""An optional Redis connection, present only when ``REDIS_URL`` is set."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


class RedisClient:
    """Holds one connection pool per app; ``client`` is ``None`` without ``REDIS_URL``."""

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        connection = (
            Redis.from_url(
                url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
            )
            if url
            else None
        )
        app.extensions["sapling_redis"] = connection

    @property
    def client(self) -> Redis | None:
        connection: Redis | None = current_app.extensions.get("sapling_redis")
        return connection
