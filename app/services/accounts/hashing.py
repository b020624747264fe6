"""Where argon2 runs: a bounded queue of low-priority threads, one per process.

argon2 is meant to be expensive: each hash takes a core for a good fraction of a
second. Two rules keep a burst of logins from taking the site down with it:

- **Low priority.** Hashing runs on threads in Linux's idle scheduling class
  (SCHED_IDLE, and PASSWORD_HASHING_NICENESS above the process's own niceness; the
  threads argon2 starts for its lanes inherit both), so it uses the CPU that pages
  leave free rather than slowing every page down.
- **A bounded queue.** At most PASSWORD_HASHING_SLOTS hashes run at once in a process.
  A request that finds every slot taken waits PASSWORD_HASHING_WAIT_MS at most, then
  gives up with ``HashingBusy``, which the app answers with a 503, Retry-After and a
  page that sends the same form again (app/controllers/errors.py). Without the bound
  each login would wait its turn however long the line, holding a request thread
  the whole time, until gunicorn's timeout killed the worker.

The slots belong to the app and the process, the threads to the process (shared by
the apps of a test run that ask for the same size): gunicorn forks its workers, and
threads and semaphores do not survive a fork.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app

_T = TypeVar("_T")
_KEY = "sapling_hashing"
_lock = threading.Lock()
_threads: dict[tuple[int, int, int], ThreadPoolExecutor] = {}  # (pid, size, niceness)

RETRY_AFTER_SECONDS = 2  # a slot frees every fraction of a second; a person takes longer


class HashingBusy(Exception):  # noqa: N818 (a state the app answers, not a failure)
    """Every hashing slot stayed taken for the whole wait: nothing was done; try again."""

    retry_after = RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class _Queue:
    pid: int
    slots: threading.BoundedSemaphore
    wait_seconds: float
    threads: ThreadPoolExecutor | None  # None: hash in the request's own thread


def run(work: Callable[[], _T]) -> _T:
    """Run ``work`` (one argon2 hash or verification) in a slot, on a hashing thread."""
    queue = _queue()
    with slot():
        if queue.threads is None:
            return work()
        return queue.threads.submit(work).result()


@contextlib.contextmanager
def slot() -> Iterator[None]:
    """Hold one of this process's hashing slots; ``HashingBusy`` if none frees in time."""
    queue = _queue()
    if not queue.slots.acquire(timeout=queue.wait_seconds):
        raise HashingBusy
    try:
        yield
    finally:
        queue.slots.release()


def _queue() -> _Queue:
    with _lock:
        queue: _Queue | None = current_app.extensions.get(_KEY)
        if queue is None or queue.pid != os.getpid():
            config = current_app.config
            size = max(1, int(config["PASSWORD_HASHING_SLOTS"]))
            niceness = int(config["PASSWORD_HASHING_NICENESS"])
            queue = _Queue(
                pid=os.getpid(),
                slots=threading.BoundedSemaphore(size),
                wait_seconds=max(0, int(config["PASSWORD_HASHING_WAIT_MS"])) / 1000,
                threads=_hashing_threads(size, niceness) if niceness > 0 else None,
            )
            current_app.extensions[_KEY] = queue
        return queue


def _hashing_threads(size: int, niceness: int) -> ThreadPoolExecutor:
    key = (os.getpid(), size, niceness)
    if key not in _threads:
        _threads[key] = ThreadPoolExecutor(
            max_workers=size,
            thread_name_prefix="argon2",
            initializer=_lower_priority,
            initargs=(niceness,),
        )
    return _threads[key]


def _lower_priority(niceness: int) -> None:
    # Linux's SCHED_IDLE: run only on CPU time that normal threads leave over. Nice alone is
    # not enough, since argon2's many lane threads would add up to a large share. Where
    # either is not allowed the work still runs, at normal priority.
    thread = threading.get_native_id()
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    with contextlib.suppress(OSError):
        os.nice(niceness)  # relative, and on Linux for this thread only (nice(2) is per thread)
