"""Which Redis the suite uses: ``TEST_REDIS_URL``, or ``none`` to run without one."""

from __future__ import annotations

import os

from redis import Redis
from redis.exceptions import RedisError

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def choose_redis() -> tuple[str | None, str]:
    configured = os.environ.get("TEST_REDIS_URL", "").strip()
    if configured.lower() == "none":
        return None, "TEST_REDIS_URL=none"
    url = configured or DEFAULT_REDIS_URL
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError:
        if configured:
            raise RuntimeError(f"TEST_REDIS_URL is set but Redis does not answer: {url}") from None
        return None, "no Redis answered at 127.0.0.1:6379"
    finally:
        client.close()
    return url, f"Redis at {url}"
