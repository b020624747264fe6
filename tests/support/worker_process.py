"""`flask worker` as a real child process, with its log in a file the test reads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
STARTED = "started: mail every"
# How long a test waits for a state before it gives up. Only a failing test waits this long, so
# it is generous: a busy two-core CI machine can take many seconds to start a Python process.
PATIENCE = 120.0


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """Started at once; ``with`` makes sure it is gone at the end, even if a test fails."""

    def __init__(
        self,
        log_path: Path,
        database_url: str,
        media_root: Path,
        *args: str,
        smtp_port: int | None = None,
        log_level: str = "INFO",
    ) -> None:
        env = {
            **os.environ,
            "SAPLING_ENV": "testing",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "MAIL_OUTBOX_DIR": str(media_root.parent / "mail"),
            "LOG_FORMAT": "text",
            "LOG_LEVEL": log_level,
            "FLASK_SKIP_DOTENV": "1",
            "PYTHONWARNINGS": "error",
        }
        for name in ("REDIS_URL", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD"):
            env.pop(name, None)
        if smtp_port is not None:
            env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="false")
        self.log_path = log_path
        with log_path.open("wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 (this interpreter, our app)
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                cwd=PROJECT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, count: int = 1, timeout: float = PATIENCE) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and self.log.count(text) < count:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.log}")
            return self.log.count(text) >= count

        wait_until(seen, timeout, f"{text!r} in the worker's log:\n{self.log}")

    def stop(self, number: signal.Signals = signal.SIGTERM, timeout: float = PATIENCE) -> int:
        self.process.send_signal(number)
        return self.process.wait(timeout)

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
