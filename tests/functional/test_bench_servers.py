"""`make bench` starts its gunicorns patiently and never leaves one behind (issue #18, item 5).

Real gunicorn processes with deploy/gunicorn.conf.py, as the bench runs them, serving
the small apps of tests/support/bench_apps.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from scripts.bench.servers import Server, ServerStartError
from scripts.bench.settings import PROJECT, WORKDIR

APPS = "tests.support.bench_apps"
PATIENCE = 60.0  # seconds; what the test waits for a state at most, never a fixed sleep


def _env(**extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SAPLING_", "BENCH_"))}
    return {
        **inherited,
        "GUNICORN_WORKERS": "2",  # workers to leave behind, if the bench were careless
        "GUNICORN_THREADS": "1",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        **extra,
    }


@pytest.fixture(autouse=True)
def _name_and_tidy_up() -> Iterator[None]:
    """Each test's servers get a name of their own; their log and run folder go after it."""
    yield
    for name in _names:
        (WORKDIR / "logs" / f"{name}.log").unlink(missing_ok=True)
        shutil.rmtree(WORKDIR / "run" / name, ignore_errors=True)
    _names.clear()


_names: list[str] = []


def _name() -> str:
    _names.append(f"test-{uuid.uuid4().hex[:8]}")
    return _names[-1]


def _group(pgid: int) -> list[int]:
    """The processes still in process group ``pgid``, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {PATIENCE:g} s")
        time.sleep(0.05)


def test_a_server_slow_to_answer_its_health_probe_is_waited_for(tmp_path: Path) -> None:
    gate = tmp_path / "open"
    server = Server(_name(), f"{APPS}:healthy", _env(BENCH_TEST_GATE=str(gate)), probe_seconds=0.5)
    failure: list[BaseException] = []

    def start() -> None:
        try:
            server.start()
        except BaseException as error:  # noqa: BLE001 (handed to the test below)
            failure.append(error)

    starting = threading.Thread(target=start)
    starting.start()
    try:
        # The workers are importing: the probe connects, and its read times out.
        _wait_for(lambda: "ReadTimeout" in server.probe_failures or bool(failure), "a timeout")
        gate.touch()
        starting.join(PATIENCE)
        assert not failure, failure
        assert requests.get(f"{server.url}/healthz", timeout=PATIENCE).text == "ok"
    finally:
        gate.touch()
        starting.join(PATIENCE)
        server.stop()
    assert _group(server.pid) == []


def test_a_server_that_never_becomes_healthy_fails_clearly_and_is_ended() -> None:
    server = Server(_name(), f"{APPS}:never_healthy", _env(), boot_seconds=10)
    with pytest.raises(ServerStartError) as raised:
        server.start()
    message = str(raised.value)
    assert f"{server.name}: /healthz was not healthy within 10 s" in message
    assert "× HTTP 503" in message
    assert "the server was stopped" in message
    assert server.log_tail().count("Booting worker with pid") == 2  # there were workers
    assert _group(server.pid) == []


# Ctrl-C as a terminal sends it: Python's own SIGINT handler, even when this test runs under a
# shell's background job, which starts its children with SIGINT ignored (and an ignored
# signal at startup stays ignored in Python).
STARTS_AND_WAITS = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from scripts.bench.servers import Server
server = Server(sys.argv[1], sys.argv[2], {})
server.env.update(__import__("json").loads(sys.argv[3]))
server.start()
print(server.pid, flush=True)
signal.pause()
"""


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_bench_interrupted_ends_the_servers_it_started(number: int) -> None:
    command = [sys.executable, "-c", STARTS_AND_WAITS, _name(), f"{APPS}:healthy"]
    with subprocess.Popen(  # noqa: S603 (our interpreter, the script above)
        [*command, json.dumps(_env())],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as bench:
        try:
            assert bench.stdout is not None
            line = bench.stdout.readline()
            if not line.strip().isdigit():
                pytest.fail(f"the bench did not start its server: {bench.communicate()[1]}")
            gunicorn = int(line)
            _wait_for(lambda: len(_group(gunicorn)) == 3, "the master and its two workers")
            bench.send_signal(number)
            _, stderr = bench.communicate(timeout=PATIENCE)
        finally:
            if bench.poll() is None:
                bench.kill()
                bench.communicate()
    assert _group(gunicorn) == [], stderr
