"""What a bench run measures and where: from options and the environment."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa

from app.config import sqlalchemy_url

PROJECT = Path(__file__).resolve().parents[2]
RESULTS = PROJECT / "bench" / "results"
WORKDIR = PROJECT / "instance" / "bench"  # logs, wrk scripts, server scratch space

DEFAULT_DATABASE_SERVER = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


@dataclass(frozen=True)
class Settings:
    duration: int = 5  # seconds per measured run (wrk takes whole seconds)
    warmup: int = 2  # seconds of load before a target's first run, not measured
    runs: int = 5  # every budget is checked in each of these; the median is reported
    concurrencies: tuple[int, ...] = (16, 64)
    storm_concurrency: int = 8  # login POSTs in flight during the storm
    login_concurrency: int = 0  # for login throughput; 0: two per core
    image_runs: int = 5
    database_server: str = DEFAULT_DATABASE_SERVER
    redis_url: str = DEFAULT_REDIS_URL
    boot_seconds: float = 180.0  # how long a server may take to answer /healthz
    quick: bool = False  # development: tiny runs, results not comparable

    @property
    def cores(self) -> int:
        return os.cpu_count() or 1

    @property
    def logins_in_flight(self) -> int:
        """argon2 is CPU-bound: more logins at once than cores only adds queueing."""
        return self.login_concurrency or 2 * self.cores


def from_environment(
    *, quick: bool, duration: int | None, runs: int | None, settings: Settings | None = None
) -> Settings:
    """BENCH_DURATION, BENCH_RUNS and BENCH_BOOT_SECONDS, then options, override the defaults;
    --quick shrinks the runs."""
    base = settings or Settings()
    env_duration = os.environ.get("BENCH_DURATION", "").strip()
    env_runs = os.environ.get("BENCH_RUNS", "").strip()
    env_boot = os.environ.get("BENCH_BOOT_SECONDS", "").strip()
    values: dict[str, Any] = {
        "database_server": os.environ.get("BENCH_DATABASE_SERVER") or DEFAULT_DATABASE_SERVER,
        "redis_url": os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL,
        "quick": quick,
    }
    if quick:
        values |= {"duration": 2, "warmup": 1, "runs": 1, "image_runs": 1}
    if env_duration:
        values["duration"] = int(env_duration)
    if env_runs:
        values["runs"] = int(env_runs)
    if env_boot:
        values["boot_seconds"] = float(env_boot)
    if duration is not None:
        values["duration"] = duration
    if runs is not None:
        values["runs"] = runs
    return replace(base, **values)


def check_services(settings: Settings) -> None:
    """Exit with one clear message if PostgreSQL or Redis is not there."""
    problems = []
    url = sqlalchemy_url(database_url(settings, "postgres"))
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        problems.append(f"PostgreSQL does not answer at {settings.database_server}")
    finally:
        engine.dispose()
    try:
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError:
        problems.append(f"Redis does not answer at {settings.redis_url}")
    if problems:
        sys.exit(
            "make bench needs PostgreSQL and Redis: "
            + "; ".join(problems)
            + ". Start them, or point BENCH_DATABASE_SERVER and BENCH_REDIS_URL at them."
        )


def database_url(settings: Settings, name: str) -> str:
    """The URL of database ``name`` on the bench's PostgreSQL server."""
    return f"{settings.database_server.rstrip('/')}/{name}"


def app_environment(
    settings: Settings, *, database: str, media_root: Path, secret_key: str, run_id: str
) -> dict[str, str]:
    """The environment Sapling runs with: production, on loopback, limits out of the way.

    Only the login, posting and interaction limits are raised (the login and write
    benchmarks are deliberate floods from one address); page views have no limits. A
    fresh key prefix per run starts the rate-limit and failed-login counters from zero.
    gunicorn's own settings (GUNICORN_WORKERS, GUNICORN_THREADS, ...) pass through from
    the caller.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SAPLING_", "BENCH_"))}
    return {
        **inherited,
        "SAPLING_ENV": "production",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url(settings, database),
        "REDIS_URL": settings.redis_url,
        "MEDIA_ROOT": str(media_root),
        "MAIL_OUTBOX_DIR": str(WORKDIR / "mail"),
        "TRUSTED_PROXY_COUNT": "0",  # no nginx in front: the socket's address is the client's
        # Production refuses plain http:// here; the bench's clients say they came over HTTPS.
        "BASE_URL": "https://localhost",
        "RATELIMIT_KEY_PREFIX": f"sapling-bench-{run_id}",
        "RATELIMIT_LOGIN": "1000000 per minute",
        "RATELIMIT_POSTING": "1000000 per minute",  # the write benchmarks: one account, flat out
        "RATELIMIT_INTERACTIONS": "1000000 per minute",
    }
