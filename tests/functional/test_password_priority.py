"""Hashing threads are PASSWORD_HASHING_NICENESS nicer than the process, whatever it started at.

The value is an increment, as ``nice -n`` and ``os.nice`` take it: a server (or
a test suite) already started under ``nice`` keeps the same distance between
pages and password hashing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRIORITIES = """
import os, sys, threading
from app import create_app
from app.config import TestingConfig
from app.services.accounts import hashing, passwords

def own() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

database_url, media_root = sys.argv[1:]
app = create_app(TestingConfig({}), {"DATABASE_URL": database_url, "MEDIA_ROOT": media_root})
with app.app_context():
    print(own(), hashing.run(own), app.config["PASSWORD_HASHING_NICENESS"])
"""


def test_the_niceness_is_added_to_the_one_the_process_runs_at(tmp_path: Path) -> None:
    nice = shutil.which("nice")
    assert nice is not None
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    paths = [f"sqlite:///{tmp_path / 'sapling.db'}", str(tmp_path / "media")]
    result = subprocess.run(  # noqa: S603 (nice, this interpreter, our script, the test's paths)
        [nice, "-n", "5", sys.executable, "-c", PRIORITIES, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page, hashing, increment = map(int, result.stdout.split())
    assert page == min(base + 5, 19)
    assert increment > 0
    assert hashing == min(page + increment, 19)
