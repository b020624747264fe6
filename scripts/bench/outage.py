"""`python -m scripts.bench.outage`: what a hung Redis costs a page (issue #15, item 11).

    python -m scripts.bench.outage [--requests N]   (BENCH_REDIS_URL; default db 14)

One app, in this process, with every Redis user (the unread badge, the login guard's
counters, the rate limiter's storage) pointed at tests/support/tcp_proxy.py in front of
the real Redis. Each page below is timed with Redis answering, then frozen (the proxy
holds connections and answers nothing, as a SIGSTOPped Redis would), then answering
again. The first frozen request waits REDIS_SOCKET_TIMEOUT once; after it the breaker
refuses at once, so the rest should cost what they cost with Redis (a few ms more at
most: the fallbacks count in the database or in this process). No gunicorn, no nginx:
this measures the app's own cost, which is what the breaker changes.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from app import config, create_app
from app.extensions import alembic
from scripts.bench.settings import DEFAULT_REDIS_URL
from tests.factories import create_user
from tests.support.auth import AuthActions
from tests.support.tcp_proxy import TCPProxy

BREAKER_SECONDS = 5.0  # longer than a frozen phase takes, so only its first request waits


def build(workdir: Path, redis_url: str) -> Flask:
    settings = {
        "MEDIA_ROOT": str(workdir / "media"),
        "MAIL_OUTBOX_DIR": str(workdir / "mail"),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": f"bench-outage-{uuid.uuid4().hex}",
        "RATELIMIT_LOGIN": "1000000 per minute",
        "CAPTCHA_AFTER_CLIENT_FAILURES": 1_000_000,
        "CAPTCHA_AFTER_ACCOUNT_FAILURES": 1_000_000,
        "UNDER_ATTACK_THRESHOLD": 1_000_000,
        "REDIS_BREAKER_SECONDS": BREAKER_SECONDS,
    }
    environ = {"DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"}
    app = create_app(config.TestingConfig(environ), settings)
    with app.app_context():
        alembic.upgrade()
    return app


def timed(page: Callable[[], int], count: int) -> list[float]:
    """Milliseconds per request; every request must succeed as it would with Redis."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status = page()
        times.append((time.perf_counter() - started) * 1000)
        if status not in (200, 401):
            raise RuntimeError(f"a page answered {status}: the fallback did not hold")
    return times


def row(name: str, phase: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{name:<22} {phase:<20} {statistics.median(times):8.2f} {p95:8.2f} {max(times):8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.outage")
    parser.add_argument("--requests", type=int, default=50, help="per page and phase (50)")
    parser.add_argument("--redis", default=DEFAULT_REDIS_URL, help="the real Redis")
    args = parser.parse_args()
    real = Redis.from_url(args.redis).connection_pool.connection_kwargs
    with tempfile.TemporaryDirectory() as work, TCPProxy(real["host"], real["port"]) as proxy:
        url = f"redis://127.0.0.1:{proxy.port}/{real.get('db', 0)}"
        app = build(Path(work), url)
        create_user(app, "reader")
        reader: FlaskClient = app.test_client()
        AuthActions(reader).login("reader")
        stranger = AuthActions(app.test_client())
        names = itertools.count()  # a fresh account name each time: no lock comes into it
        pages: dict[str, Callable[[], int]] = {
            "GET /explore (badge)": lambda: reader.get("/explore").status_code,
            "POST /login (guard)": lambda: stranger.login(f"nobody{next(names)}", "x").status_code,
        }
        print(f"{'page':<22} {'phase':<20} {'median':>8} {'p95':>8} {'max':>8}   (ms)")
        for name, page in pages.items():
            print(row(name, "Redis answering", timed(page, args.requests)))
            proxy.freeze()
            print(row(name, "frozen: first", timed(page, 1)))
            print(row(name, "frozen: the rest", timed(page, args.requests)))
            proxy.thaw()
            time.sleep(BREAKER_SECONDS)  # the window ends; the next request is the trial
            print(row(name, "answering again", timed(page, args.requests)))


if __name__ == "__main__":
    main()
