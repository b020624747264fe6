"""What the numbers were measured on, for the JSON file."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa

from app.config import sqlalchemy_url
from scripts.bench.settings import PROJECT, Settings, database_url


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _output(*command: str) -> str:
    """The command's first line of output (wrk prints its version on stderr)."""
    try:
        done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return "unknown"
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def describe(settings: Settings) -> dict[str, Any]:
    engine = sa.create_engine(sqlalchemy_url(database_url(settings, "postgres")))
    try:
        with engine.connect() as connection:
            postgres = connection.execute(sa.text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    info = redis.Redis.from_url(settings.redis_url).info("server")
    dirty = bool(_output("git", "status", "--porcelain", "--untracked-files=no"))
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": info.get("redis_version", "unknown"),
        "wrk": _output("wrk", "--version").split(" [")[0],
        "git_commit": _output("git", "rev-parse", "HEAD"),
        "git_dirty": dirty,
    }


def gunicorn_settings(cores: int) -> dict[str, Any]:
    """What deploy/gunicorn.conf.py resolves to with this environment."""
    return {
        "config": "deploy/gunicorn.conf.py",
        "worker_class": os.environ.get("GUNICORN_WORKER_CLASS") or "gthread",
        "workers": int(os.environ.get("GUNICORN_WORKERS") or 2 * cores),
        "threads": int(os.environ.get("GUNICORN_THREADS") or 4),
        "max_requests": int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0),  # see servers.py
    }
