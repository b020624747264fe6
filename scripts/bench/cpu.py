"""Where a measurement's CPU time went, from /proc: the server's gunicorn processes, wrk,
PostgreSQL, everything else on the machine (other users included), and idle cores."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Snapshot:
    at: float
    server: float  # CPU seconds of the gunicorn master and its workers
    postgres: float
    children: float  # of this process's finished children (wrk, once waited for)
    busy: float  # every core, all but idle and iowait

    def minus(self, before: Snapshot) -> Spent:
        return Spent(
            wall=self.at - before.at,
            server=self.server - before.server,
            postgres=self.postgres - before.postgres,
            wrk=self.children - before.children,
            busy=self.busy - before.busy,
        )


@dataclass(frozen=True)
class Spent:
    wall: float
    server: float
    postgres: float
    wrk: float
    busy: float

    def per_login(self, logins: int) -> dict[str, float]:
        """Milliseconds of CPU per login, by part; ``idle`` is the cores' unused time."""
        if not logins:
            return {}
        other = self.busy - self.server - self.postgres - self.wrk
        idle = (os.cpu_count() or 1) * self.wall - self.busy
        parts = {"server": self.server, "postgres": self.postgres, "wrk": self.wrk,
                 "other": other, "idle": idle}  # fmt: skip
        return {name: round(seconds * 1000 / logins, 1) for name, seconds in parts.items()}


def _stat(pid: str) -> tuple[str, int, float] | None:
    """(command, parent pid, CPU seconds) of a live process, or None if it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    command = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return command, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def snapshot(master_pid: int) -> Snapshot:
    server = postgres = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(entry.name)
        if found is None:
            continue
        command, parent, seconds = found
        if int(entry.name) == master_pid or parent == master_pid:
            server += seconds
        elif command.startswith("postgres"):
            postgres += seconds
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = (sum(fields[:8]) - fields[3] - fields[4]) / _TICK
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(time.monotonic(), server, postgres, children.ru_utime + children.ru_stime, busy)
