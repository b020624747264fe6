"""The circuit breaker on its own: open on a failure, one trial per window, logged once.

Time is the breaker's ``clock`` argument, a plain function here, so the windows are
exact and nothing sleeps.
"""

from __future__ import annotations

import logging
import threading

import pytest

from app.core.breaker import CLOSED, OPEN, TRIAL, CircuitBreaker

LOG = logging.getLogger("tests.breaker")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("Store", 30, log=LOG, fallback="counting here", clock=clock)


def in_other_thread(breaker: CircuitBreaker) -> bool:
    answer: list[bool] = []
    thread = threading.Thread(target=lambda: answer.append(breaker.allow()))
    thread.start()
    thread.join()
    return answer[0]


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_closed_lets_everyone_through(breaker: CircuitBreaker) -> None:
    assert breaker.allow() and in_other_thread(breaker)
    breaker.succeeded()  # nothing to do, nothing logged
    assert breaker.state == CLOSED


def test_a_failure_opens_it_for_the_window_and_is_logged_once(
    breaker: CircuitBreaker, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, LOG.name):
        breaker.failed(OSError("refused"))
        breaker.failed(OSError("refused again"))  # already open: no second line
        clock.now += 29.9
        assert not breaker.allow() and not in_other_thread(breaker)
    assert breaker.state == OPEN
    assert messages(caplog) == [
        "Store unavailable (refused): counting here; not trying it again for 30 s"
    ]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_after_the_window_one_caller_tries_and_the_others_still_wait(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    breaker.failed(OSError("down"))
    clock.now += 30
    assert breaker.allow()  # this thread is the trial
    assert breaker.allow()  # and may make more than one call in it
    assert breaker.state == TRIAL
    assert not in_other_thread(breaker)


def test_a_trial_that_fails_opens_another_window(breaker: CircuitBreaker, clock: Clock) -> None:
    breaker.failed(OSError("down"))
    clock.now += 30
    assert breaker.allow()
    breaker.failed(OSError("still down"))
    assert not breaker.allow()
    clock.now += 30
    assert breaker.allow()


def test_a_trial_that_succeeds_closes_it_and_says_so_once(
    breaker: CircuitBreaker, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    breaker.failed(OSError("down"))
    clock.now += 30
    caplog.clear()
    with caplog.at_level(logging.INFO, LOG.name):
        assert breaker.allow()
        breaker.succeeded()
        breaker.succeeded()
    assert breaker.state == CLOSED
    assert in_other_thread(breaker)
    assert messages(caplog) == ["Store is back: using it again"]


def test_only_the_trial_closes_it(breaker: CircuitBreaker, clock: Clock) -> None:
    """A command already under way when Redis failed proves nothing about it now."""
    breaker.failed(OSError("down"))
    breaker.succeeded()  # no trial yet
    assert breaker.state == OPEN
    clock.now += 30
    assert in_other_thread(breaker)  # another thread took the trial
    breaker.succeeded()  # this one is not it
    assert breaker.state == TRIAL


def test_a_trial_that_never_reports_back_is_given_to_someone_else(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    breaker.failed(OSError("down"))
    clock.now += 30
    assert in_other_thread(breaker)  # took the trial, then vanished
    assert not breaker.allow()
    clock.now += 30
    assert breaker.allow()
