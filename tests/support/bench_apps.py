"""WSGI apps for the tests of the bench's server start (scripts/bench/servers.py).

gunicorn serves them as it serves Sapling in `make bench`. With BENCH_TEST_GATE set,
each worker's import waits until that file exists: the master has bound the port,
so a health probe connects and then waits for an answer that does not come, as it
does while four workers import Sapling on a busy machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_gate = os.environ.get("BENCH_TEST_GATE")
while _gate and not Path(_gate).exists():
    time.sleep(0.05)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def healthy(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def never_healthy(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"not yet"]
