"""gunicorn with deploy/gunicorn.conf.py, as operators run it, on a loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import requests

from scripts.bench.settings import PROJECT, WORKDIR
from scripts.loopback import free_port, stop

SAPLING_APP = "wsgi:app"
CEILING_APP = "scripts.bench.ceiling:app"


class Server:
    """One gunicorn master and its workers; stopped gracefully on exit.

    Worker recycling (GUNICORN_MAX_REQUESTS) is off unless the caller sets it:
    at the ceiling's thousands of requests per second every worker would restart
    every few seconds, all within the jitter of each other, and the ceiling would
    measure worker boots. Sapling and the ceiling are treated alike. Each server
    gets its own runtime folder, so their control sockets (gunicorn.ctl) do not
    replace each other's, or those of other gunicorns run by the same user.
    """

    def __init__(self, name: str, app: str, env: Mapping[str, str]) -> None:
        self.name = name
        self.port = free_port()
        runtime = WORKDIR / "run" / name
        runtime.mkdir(parents=True, exist_ok=True)
        self.env = {
            "GUNICORN_MAX_REQUESTS": "0",
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "XDG_RUNTIME_DIR": str(runtime),
        }
        self.command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", app]
        self.log_path = WORKDIR / "logs" / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our interpreter, our config)
                self.command, cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        assert self.process is not None  # noqa: S101 (set by __enter__)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited early:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code < 500:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: no answer within 60 s:\n{self.log_tail()}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is None:
            return
        stop(self.process, timeout=40)

    @property
    def pid(self) -> int:
        assert self.process is not None  # noqa: S101 (only used while running)
        return self.process.pid

    def worker_boots(self) -> int:
        """Workers started so far, the first ones included (restarts show as more)."""
        return self.log_path.read_text(errors="replace").count("Booting worker with pid")

    def log_tail(self, chars: int = 4000) -> str:
        return Path(self.log_path).read_text(errors="replace")[-chars:]
