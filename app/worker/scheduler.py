"""The loop behind `flask worker`: jobs on intervals of their own, a clean stop on
SIGTERM or SIGINT, and patience when the database goes away.

A job does one round of its work and returns a line for the log when it did
something (None when there was nothing to do). Between units of work it asks
``should_stop``, so a stop is prompt: the unit in progress finishes and commits,
and nothing new begins.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import psycopg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.extensions import db

log = logging.getLogger(__name__)

StopCheck = Callable[[], bool]


@dataclass
class Job:
    name: str
    every: float  # seconds between rounds, in this process
    run: Callable[[StopCheck], str | None]
    next_at: float = 0.0  # on the time.monotonic() clock; due at once


@dataclass
class Backoff:
    """How long to wait while the database is unreachable: 1 s, doubling up to 30 s."""

    first: float = 1.0
    most: float = 30.0
    current: float = 0.0

    def next(self) -> float:
        self.current = min(self.most, self.current * 2 or self.first)
        return self.current

    def reset(self) -> bool:
        """Back to no wait; True if there was one (the database just came back)."""
        waiting, self.current = self.current > 0, 0.0
        return waiting


def database_unavailable(error: BaseException) -> bool:
    """Connection trouble (a restart, a cut network, a killed backend), not a bug."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def brief(error: BaseException) -> str:
    """The first line of the driver's message: enough for the log, no traceback."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:200]


class Scheduler:
    # How long a sleeping worker may take to notice that it should stop.
    STEP = 0.2

    def __init__(self, jobs: list[Job], backoff: Backoff | None = None) -> None:
        self.jobs = jobs
        self.backoff = backoff or Backoff()
        self.stop_reason: str | None = None

    def stop(self, reason: str = "asked to stop") -> None:
        self.stop_reason = self.stop_reason or reason

    def should_stop(self) -> bool:
        return self.stop_reason is not None

    def run(self, max_rounds: int | None = None) -> int:
        """Run the jobs as they fall due until stopped, or for ``max_rounds`` rounds (a round
        runs every job that is due); returns how many rounds ran."""
        rounds = 0
        while not self.should_stop() and (max_rounds is None or rounds < max_rounds):
            self._sleep_until(min(job.next_at for job in self.jobs))
            if self.should_stop():
                break
            self._round()
            rounds += 1
            due = min(job.next_at for job in self.jobs) - time.monotonic()
            log.debug("Round %d done; the next is due in %.1f s", rounds, max(due, 0.0))
        return rounds

    def _round(self) -> None:
        for job in self.jobs:
            if self.should_stop():
                return
            if job.next_at > time.monotonic():
                continue
            wait = self._attempt(job)
            if wait is not None:  # the database is away: every job waits for it
                resume = time.monotonic() + wait
                for other in self.jobs:
                    other.next_at = max(other.next_at, resume)
                return
            job.next_at = time.monotonic() + job.every

    def _attempt(self, job: Job) -> float | None:
        """Run one job; if the database was unreachable, how long to wait before the next.

        Jobs commit their own work. Whatever they leave open is rolled back, and the
        session is closed, so no transaction (or SQLite write lock) outlasts a job and
        every job starts from fresh rows.
        """
        try:
            line = job.run(self.should_stop)
        except Exception as error:
            _close_session()
            if not database_unavailable(error):
                log.exception("The %s job failed; the other jobs go on", job.name)
                return None
            wait = self.backoff.next()
            log.warning(
                "Database unavailable during the %s job (%s); trying again in %g s",
                job.name,
                brief(error),
                wait,
            )
            return wait
        _close_session()
        if self.backoff.reset():
            log.info("The database is reachable again")
        if line:
            log.info("%s: %s", job.name, line)
        return None

    def _sleep_until(self, moment: float) -> None:
        while not self.should_stop() and (left := moment - time.monotonic()) > 0:
            time.sleep(min(left, self.STEP))


def _close_session() -> None:
    try:
        db.session.close()  # rolls back what was left uncommitted
    except DBAPIError as error:  # a connection already gone: the pool replaces it
        log.debug("Closing the session failed: %s", brief(error))


@contextmanager
def stopping_on_signals(scheduler: Scheduler) -> Iterator[None]:
    """SIGTERM or SIGINT stops the scheduler after the job in progress; a second one acts
    as it would have without this (Ctrl-C twice interrupts a job that hangs)."""
    numbers = (signal.SIGTERM, signal.SIGINT)
    # None: a handler not set from Python, which cannot be put back; the default stands in.
    previous = {number: signal.getsignal(number) or signal.SIG_DFL for number in numbers}

    def handle(number: int, _frame: FrameType | None) -> None:
        # Only flags here: logging from a signal handler can deadlock.
        scheduler.stop(f"{signal.Signals(number).name} received")
        for each, handler in previous.items():
            signal.signal(each, handler)

    for number in numbers:
        signal.signal(number, handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
