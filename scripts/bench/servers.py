"""gunicorn with deploy/gunicorn.conf.py, as operators run it, on a loopback port.

A server counts as started when ``/healthz`` answers; until then every kind of
request error (refused, reset, a read that timed out because the workers are
still importing the app) only means "not yet", up to a boot deadline
(BENCH_BOOT_SECONDS, 180 s: four workers importing the app on two busy cores
have taken longer than a few seconds). Each server runs in a process group of
its own, and whatever happens (a failed start, an exception, Ctrl-C, SIGTERM,
a normal exit) the bench ends every group it started: gracefully first, then
SIGKILL for whatever is left of the group. Only SIGKILL of the bench itself
can leave one running; the next start under the same name ends it (its pid is
kept in instance/bench/run/<name>/master.pid).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import FrameType, TracebackType

import requests

from scripts.bench.settings import PROJECT, WORKDIR
from scripts.loopback import free_port, stop

SAPLING_APP = "wsgi:app"
CEILING_APP = "scripts.bench.ceiling:app"
BOOT_SECONDS = 180.0
PROBE_SECONDS = 5.0  # one health probe; a slower answer is another "not yet"
PROBE_INTERVAL = 0.2
STOP_SECONDS = 40.0  # more than gunicorn's graceful_timeout (30 s)

_running: dict[int, Server] = {}  # by the master's pid, which is also its group's id
_cleanup_installed = False


def _end_leftover(pid_file: Path) -> None:
    """End the server a bench killed with SIGKILL left running under this name, if any.

    Only a process whose command line is still a gunicorn with our configuration
    counts: the pid may since have gone to something else.
    """
    try:
        pid = int(pid_file.read_text())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return
    if b"gunicorn" in command and b"deploy/gunicorn.conf.py" in command:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def stop_all() -> None:
    """End every server still running (atexit, and the signal handlers below)."""
    for server in list(_running.values()):
        server.stop()


def _exit_on_signal(number: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds the with-blocks, whose __exit__ stops their servers.
    raise SystemExit(128 + number)


def _install_cleanup() -> None:
    """Once per process: stop servers at exit, and turn SIGTERM and SIGHUP into an exit.

    Ctrl-C is already an exception (KeyboardInterrupt) that unwinds the same way. A
    handler someone else installed is left alone, as is any thread but the main one
    (only it may set handlers).
    """
    global _cleanup_installed  # noqa: PLW0603 (one process-wide registration)
    if _cleanup_installed:
        return
    _cleanup_installed = True
    atexit.register(stop_all)
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(number) is signal.SIG_DFL:
                signal.signal(number, _exit_on_signal)


class ServerStartError(RuntimeError):
    """gunicorn exited, or did not become healthy before the boot deadline."""


class Server:
    """One gunicorn master and its workers; stopped on exit, on failure, on a signal.

    Worker recycling (GUNICORN_MAX_REQUESTS) is off unless the caller sets it:
    at the ceiling's thousands of requests per second every worker would restart
    every few seconds, all within the jitter of each other, and the ceiling would
    measure worker boots. Sapling and the ceiling are treated alike. Each server
    gets its own runtime folder, so their control sockets (gunicorn.ctl) do not
    replace each other's, or those of other gunicorns run by the same user.
    """

    def __init__(
        self,
        name: str,
        app: str,
        env: Mapping[str, str],
        *,
        boot_seconds: float = BOOT_SECONDS,
        probe_seconds: float = PROBE_SECONDS,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.boot_seconds = boot_seconds
        self.probe_seconds = probe_seconds
        runtime = WORKDIR / "run" / name
        runtime.mkdir(parents=True, exist_ok=True)
        self.pid_file = runtime / "master.pid"
        self.env = {
            "GUNICORN_MAX_REQUESTS": "0",
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "XDG_RUNTIME_DIR": str(runtime),
        }
        self.command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", app]
        self.log_path = WORKDIR / "logs" / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.probe_failures: list[str] = []  # why each probe before the healthy one failed

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.start()
        return self

    def start(self) -> None:
        _install_cleanup()
        _end_leftover(self.pid_file)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our interpreter, our config)
                self.command,
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: Ctrl-C reaches us, we end it
            )
        _running[self.process.pid] = self
        self.pid_file.write_text(str(self.process.pid))
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_until_healthy(self) -> None:
        assert self.process is not None  # noqa: S101 (set by start)
        started = time.monotonic()
        deadline = started + self.boot_seconds
        while True:
            if self.process.poll() is not None:
                raise ServerStartError(
                    f"{self.name}: gunicorn exited with {self.process.returncode} before "
                    f"answering /healthz; log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                timeout = max(0.1, min(self.probe_seconds, deadline - time.monotonic()))
                status = requests.get(f"{self.url}/healthz", timeout=timeout).status_code
            except requests.RequestException as error:
                self.probe_failures.append(type(error).__name__)
            else:
                if status < 500:
                    return
                self.probe_failures.append(f"HTTP {status}")
            if time.monotonic() >= deadline:
                raise ServerStartError(
                    f"{self.name}: /healthz was not healthy within {self.boot_seconds:g} s "
                    f"(BENCH_BOOT_SECONDS; probes: {self._failure_counts()}); the server "
                    f"was stopped. Log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(PROBE_INTERVAL)

    def _failure_counts(self) -> str:
        counts = Counter(self.probe_failures)
        return ", ".join(f"{count} × {kind}" for kind, count in counts.items()) or "none"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGTERM to the master (it stops its workers), then SIGKILL to what is left.

        The group is swept right after the master is reaped, so the id cannot have
        gone to another group yet; a worker the master failed to stop dies with it.
        """
        if self.process is None:
            return
        pid = self.process.pid
        try:
            stop(self.process, timeout=STOP_SECONDS)
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            _running.pop(pid, None)
            self.pid_file.unlink(missing_ok=True)

    @property
    def pid(self) -> int:
        assert self.process is not None  # noqa: S101 (only used while running)
        return self.process.pid

    def worker_boots(self) -> int:
        """Workers started so far, the first ones included (restarts show as more)."""
        return self.log_path.read_text(errors="replace").count("Booting worker with pid")

    def log_tail(self, chars: int = 4000) -> str:
        return Path(self.log_path).read_text(errors="replace")[-chars:]
