"""gunicorn settings for Sapling behind nginx: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Every setting an operator may want to change comes from the environment, so the
same file serves a 2-core VM, a larger host and the container image
(docs/operations.md lists the variables). nginx (deploy/nginx/sapling.conf)
terminates TLS, buffers uploads and slow clients, and serves static files, so
gunicorn only ever talks to nginx over loopback or a private network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

# Nothing from the app is imported at the top: this file runs in the master process, and
# what the master has imported is what every worker forked by a reload (SIGHUP) gets, so
# an upgrade's new code would never load.


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


_cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Threads hide the time a request waits on PostgreSQL, Redis or the disk; processes
# use the cores for template rendering and argon2. Two processes per core with four
# threads each is 4 x 4 = 16 requests in flight on a 2-core host.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = _int("GUNICORN_WORKERS", 2 * _cores)
threads = _int("GUNICORN_THREADS", 4)

# A request that takes longer than this is stuck: the worker is killed and replaced.
# Uploads are buffered by nginx first, so even a 100 MB post arrives here at loopback speed.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM or SIGHUP, requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than nginx keeps idle upstream connections (60 s), so nginx never sends a
# request down a connection gunicorn has just closed.
keepalive = 75
# Recycle each worker after 2,000 to 3,000 requests: bounds the damage of any slow memory
# growth. The jitter is wide because evenly loaded workers reach the limit together, and a
# restart costs a second or two of importing the app (the bench saw all four go at once
# with a jitter of 10%).
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# X-Forwarded-Proto is believed only from nginx. The app applies the same rule to
# X-Forwarded-For with TRUSTED_PROXY_COUNT (app/core/client_ip.py).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request-line and header limits, tighter than gunicorn's defaults; nginx has its own.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Reloads and restarts go through signals (systemd's ExecReload sends HUP); no control
# socket is left in the service user's home.
control_socket_disable = True

# Heartbeat files in memory, not on a disk that may be slow or full. gunicorn creates them
# with mkstemp (random names, mode 0600), so the shared folder is no risk.
if Path("/dev/shm").is_dir():  # nosec B108  # heartbeat files made by mkstemp, mode 0600
    worker_tmp_dir = "/dev/shm"  # nosec B108

# Logs go to stderr, where systemd's journal or the container runtime collects them.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# No client address (the app logs it anonymised), no query string (it can carry
# tokens), and the request id nginx assigned, which the app logs too.
access_log_format = '%({x-request-id}i)s %(m)s "%(U)s" %(s)s %(B)s %(M)sms'


class SaplingLogger(Logger):
    """gunicorn's logger, with long random path segments (sign-in links) blanked out."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        from app.core.logging import redact_path  # in the worker, which has the app loaded

        values: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        values["U"] = redact_path(str(values.get("U") or ""))
        return values


logger_class = SaplingLogger


def on_starting(server: Any) -> None:
    """Metrics in multiprocess mode: start from an empty folder, as prometheus_client asks."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for entry in path.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that stopped no longer counts towards the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
