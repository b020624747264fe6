"""gunicorn settings for the sign-in pool: ``gunicorn -c deploy/gunicorn-signin.conf.py wsgi:app``.

The same app as the page pool (wsgi.py, same database, same secret key, so sessions
and CSRF tokens work across both), in processes of its own. nginx sends it every
route that runs argon2 (log in, the second step, sign up, password reset and
change, email change, re-authentication: deploy/nginx/sapling.conf), so a storm of
logins holds only these threads, never the ones that serve pages.

Everything else is deploy/gunicorn.conf.py, read from the same GUNICORN_* variables;
only the address and the size have names of their own, since both pools share one
environment file (docs/operations.md, "The sign-in pool").
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

_base = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
globals().update({name: value for name, value in _base.items() if not name.startswith("__")})


def _signin_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_SIGNIN_BIND", "127.0.0.1:8001").split(",")
# argon2 is CPU-bound: one process per core, each hashing PASSWORD_HASHING_SLOTS at a
# time (cores, by default) while its other threads wait their turn for a short while.
workers = _signin_int("GUNICORN_SIGNIN_WORKERS", os.cpu_count() or 1)
threads = _signin_int("GUNICORN_SIGNIN_THREADS", 4)
