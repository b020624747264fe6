"""A circuit breaker: after a failure, stop asking a server for a while, then try once.

Redis is optional to Sapling (rate limits, login-guard counters and the unread-badge
cache all have a per-process or database fallback), so a Redis that hangs must not
cost every page a socket timeout. The breaker is shared by every user of one Redis in
a process: the first failure opens it (logged once), every caller then falls back at
once, and after ``reset_seconds`` a single caller, the trial, is let through. Its
success closes the breaker (logged once); its failure opens it for another window.

Not pybreaker: its ``call()`` holds one lock for the whole call, which would serialise
every Redis command of a threaded worker, and it cannot refuse a call made inside a
library we do not own (Flask-Limiter's storage). Here the state is checked and changed
under a lock that is never held during I/O.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

CLOSED, OPEN, TRIAL = "closed", "open", "trial"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        reset_seconds: float,
        *,
        log: logging.Logger,
        fallback: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.reset_seconds = reset_seconds
        self.fallback = fallback  # said in the log line, so an operator knows what changed
        self._log = log
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._retry_at = 0.0
        self._trial_thread: int | None = None

    @property
    def state(self) -> str:
        return self._state

    def allow(self) -> bool:
        """May the calling thread talk to the server now? Cheap: no I/O, a short lock."""
        if self._state == CLOSED:  # the common case, read without the lock
            return True
        me = threading.get_ident()
        with self._lock:
            if self._state == CLOSED or self._trial_thread == me:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            # The window is over (or a trial outlived it): this thread tries, alone.
            self._state, self._trial_thread = TRIAL, me
            self._retry_at = now + self.reset_seconds
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            was = self._state
            self._state, self._trial_thread = OPEN, None
            self._retry_at = self._clock() + self.reset_seconds
        if was == CLOSED:
            self._log.error(
                "%s unavailable (%s): %s; not trying it again for %g s",
                self.name,
                error,
                self.fallback,
                self.reset_seconds,
            )

    def succeeded(self) -> None:
        """Only the trial closes the breaker: a command that was already under way when the
        breaker opened proves little, and letting it close would make the log flap."""
        if self._state == CLOSED:
            return
        with self._lock:
            if self._state != TRIAL or self._trial_thread != threading.get_ident():
                return
            self._state, self._trial_thread = CLOSED, None
        self._log.warning("%s is back: using it again", self.name)
