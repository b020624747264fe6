"""Running wrk and reading its results (report.lua prints them as one JSON line)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT_SCRIPT = HERE / "report.lua"
LOGIN_SCRIPT = HERE / "login.lua"
MARK = "WRK_JSON "
TIMEOUT_SECONDS = 10  # wrk leaves slower requests out of its latencies: count them instead


@dataclass(frozen=True)
class WrkRun:
    """One wrk run. Latencies in milliseconds; ``errors`` by wrk's kinds."""

    requests: int
    seconds: float
    bytes: int
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "rps": round(self.rps, 1)}


def parse_output(output: str) -> WrkRun:
    """The run's numbers from wrk's standard output."""
    line = next((line for line in output.splitlines() if line.startswith(MARK)), None)
    if line is None:
        raise ValueError(f"wrk printed no results:\n{output[-2000:]}")
    data = json.loads(line.removeprefix(MARK))
    latency = data["latency_us"]
    return WrkRun(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        bytes=int(data["bytes"]),
        errors={kind: int(count) for kind, count in data["errors"].items()},
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
    )


def command(
    url: str,
    *,
    concurrency: int,
    seconds: int,
    headers: Mapping[str, str],
    threads: int,
    script: Path = REPORT_SCRIPT,
    script_args: Sequence[str] = (),
) -> list[str]:
    flags = [f"-t{max(1, min(threads, concurrency))}", f"-c{concurrency}", f"-d{seconds}s"]
    flags += ["--timeout", f"{TIMEOUT_SECONDS}s", "-s", str(script)]
    for name, value in headers.items():
        flags += ["-H", f"{name}: {value}"]
    return ["wrk", *flags, url, *(["--", *script_args] if script_args else [])]


def run(url: str, **options: object) -> WrkRun:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    done = subprocess.run(  # noqa: S603 (wrk, with arguments built above)
        command(url, **options),  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_output(done.stdout)


def login_script(folder: Path) -> Path:
    """login.lua with report.lua's done() after it: wrk takes a single script."""
    path = folder / "login-bench.lua"
    path.write_text(LOGIN_SCRIPT.read_text() + "\n" + REPORT_SCRIPT.read_text())
    return path


def with_report(script: Path, folder: Path) -> Path:
    """``script`` with report.lua's done() after it, in ``folder``: wrk takes a single script."""
    path = folder / f"{script.stem}-bench.lua"
    path.write_text(script.read_text() + "\n" + REPORT_SCRIPT.read_text())
    return path
