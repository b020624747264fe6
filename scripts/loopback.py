"""Small helpers for servers the tests and the bench start on this machine's loopback."""

from __future__ import annotations

import signal
import socket
import subprocess


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(
    process: subprocess.Popen[bytes], number: int = signal.SIGTERM, timeout: float = 20
) -> int | None:
    """Ask ``process`` to stop with ``number``; kill it if it has not within ``timeout``.

    Returns its exit code, or None if it had to be killed.
    """
    if process.poll() is not None:
        return process.returncode
    process.send_signal(number)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
