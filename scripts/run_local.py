"""`make run`: gunicorn and `flask worker` side by side, started and stopped as one.

Each runs as a child of this process in a process group of its own, so a Ctrl-C, or a
SIGTERM to make's process group, reaches each of them once, from here: the worker finishes
the job in hand (a second signal would stop it at once, and make sends its child a SIGTERM
of its own). A second Ctrl-C stops them at once. When either exits by itself, the other is
stopped too, and this exits with status 1. On Linux each child is also sent
SIGTERM if this process dies without stopping them (a SIGKILL), so nothing keeps the port.

Nothing but Python: no process manager to install.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 0.1


def commands(host: str, port: int) -> dict[str, list[str]]:
    """What runs: the site, as `make run` always served it, and the background worker.

    No gunicorn control socket: it would be one path in $HOME for every checkout's site.
    """
    return {
        "gunicorn": [
            *(sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--no-control-socket"),
            *("--workers", "2", "--threads", "4", "wsgi:app"),
        ],
        "the worker": [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
    }


def stop_with_parent() -> Callable[[], None] | None:
    """Linux only: a pre-exec step that has the kernel SIGTERM the child when we die."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def arrange() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # we died before the request took hold
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


def port_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on host:port, asked before anything starts.

    Otherwise another program on the port would answer for Sapling, and gunicorn's own
    refusal would scroll by among the worker's lines.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"Port {port} is in use on {host}: stop what listens there, "
                    f"or choose another port, as in make run PORT={port + 1}."
                )
            return f"Cannot listen on {host}:{port}: {error.strerror}."
    return None


def answers(host: str, port: int) -> bool:
    """True once something accepts connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Supervisor:
    def __init__(self, programs: dict[str, list[str]]) -> None:
        self.programs = programs
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping: str | None = None  # why, once asked to stop
        self.terminated: dict[str, object] = {}  # the children sent their one SIGTERM

    def start(self) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, self._on_signal)
        for name, command in self.programs.items():
            self.children[name] = subprocess.Popen(  # noqa: S603 (this interpreter, our app)
                command,
                stdin=subprocess.DEVNULL,
                process_group=0,  # Ctrl-C reaches them only through _on_signal
                preexec_fn=stop_with_parent(),  # noqa: PLW1509 (no threads here)
            )

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        if self.stopping is None:
            self.stopping = signal.Signals(number).name
            self._terminate()
        elif number == signal.SIGINT:  # Ctrl-C again: stop now
            for child in self.children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)

    def _terminate(self) -> None:
        """One SIGTERM to each child still running that has not had one (some may have
        started after the signal came). Claimed with one setdefault, which a signal handler
        running in between cannot split, so no child is sent two."""
        for name, child in list(self.children.items()):
            claim = object()
            if self.terminated.setdefault(name, claim) is claim and child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def exited(self) -> tuple[str, int] | None:
        """The first child found to have exited, with its status; None while all run."""
        for name, child in self.children.items():
            code = child.poll()
            if code is not None:
                return name, code
        return None

    def wait_until(self, condition: Callable[[], bool]) -> None:
        while not condition() and self.stopping is None and self.exited() is None:
            time.sleep(POLL_SECONDS)

    def finish(self) -> int:
        """Stop whatever still runs and wait for all of it; the status to exit with."""
        exited = self.exited() if self.stopping is None else None
        if exited is not None:
            name, code = exited
            how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited ({code})"
            print(
                f"Sapling stopped: {name} {how}; its messages are above.",
                file=sys.stderr,
                flush=True,
            )
            self.stopping = name
        self._terminate()
        for child in self.children.values():
            child.wait()
        return 0 if exited is None else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve Sapling with its worker.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args(argv)
    problem = port_problem(options.host, options.port)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    supervisor = Supervisor(commands(options.host, options.port))
    try:
        supervisor.start()
        supervisor.wait_until(lambda: answers(options.host, options.port))
        if supervisor.stopping is None and supervisor.exited() is None:
            print(
                f"Sapling is running at http://{options.host}:{options.port}/ with its "
                "worker (Ctrl-C stops both)",
                flush=True,
            )
            supervisor.wait_until(lambda: False)
    finally:
        status = supervisor.finish()
    return status


if __name__ == "__main__":
    sys.exit(main())
