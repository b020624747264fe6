"""Build the oldest waiting data export in a process of its own, and report its memory.

Run by tests/functional/test_export_worker.py as
``python -m tests.support.export_build DATABASE_URL MEDIA_ROOT [MEDIA_SETTINGS]`` (the
last a JSON object: the bucket's settings, when the media are on S3). Prints one line
of JSON: the outcome, the seconds the build took, the peak of the Python heap
during the build (tracemalloc), and the process's resident memory before the
build and at its highest (VmRSS, VmHWM from /proc, in KiB). Measured here and
not in the test: the test process holds the whole suite, and on Linux a
child's ``ru_maxrss`` can report the parent's peak.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

from app import create_app
from app.config import TestingConfig
from app.worker import exports


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def main(database_url: str, media_root: str, media_settings: str = "{}") -> None:
    app = create_app(
        TestingConfig({}),
        {
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": media_root,
            "MAIL_OUTBOX_DIR": str(Path(media_root).parent / "mail"),
            **json.loads(media_settings),
        },
    )
    with app.app_context():
        rss_before = status_kib("VmRSS")
        tracemalloc.start()
        started = time.perf_counter()
        outcome = exports.build_next()
        seconds = time.perf_counter() - started
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    report = {
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "python_peak_bytes": python_peak,
        "rss_before_kib": rss_before,
        "hwm_kib": status_kib("VmHWM"),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:4])
