"""The image pipeline on a generated 12-megapixel JPEG, next to naive Pillow, same run.

scripts/bench_images.py does the work (each approach in its own process, peak
memory from /proc); this runs it and reads the JSON line it ends with.
"""

from __future__ import annotations

import json
import subprocess
import sys

from scripts.bench.settings import PROJECT


def measure(runs: int) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 (our interpreter, our module)
        [sys.executable, "-m", "scripts.bench_images", "--runs", str(runs)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
