"""The worker's loop in this process: its schedule, the database going away, bugs, signals."""

from __future__ import annotations

import logging
import signal
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import ScheduledJob
from app.worker.scheduler import (
    Backoff,
    Job,
    Scheduler,
    StopCheck,
    brief,
    database_unavailable,
    stopping_on_signals,
)
from scripts.loopback import free_port

LOGGER = "app.worker.scheduler"


def unreachable() -> sa.exc.OperationalError:
    """A real connection failure: nothing listens on the port."""
    engine = sa.create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    try:
        with pytest.raises(sa.exc.OperationalError) as caught:
            engine.connect()
    finally:
        engine.dispose()
    return caught.value


def test_backoff_doubles_from_one_second_to_thirty_and_starts_over() -> None:
    backoff = Backoff()
    assert [backoff.next() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.reset() is True
    assert backoff.reset() is False
    assert backoff.next() == 1


def test_connection_trouble_is_told_apart_from_bugs(app: Flask) -> None:
    cut = unreachable()
    assert database_unavailable(cut)
    assert brief(cut).startswith("OperationalError: connection failed:")
    assert "\n" not in brief(cut)
    with pytest.raises(psycopg.OperationalError) as raw:
        psycopg.connect(host="127.0.0.1", port=free_port(), user="nobody", dbname="none")
    assert database_unavailable(raw.value)

    with app.app_context():
        db.session.add_all([ScheduledJob(name="twice"), ScheduledJob(name="twice")])
        with pytest.raises(sa.exc.IntegrityError) as duplicate:
            db.session.flush()
        db.session.rollback()
    assert not database_unavailable(duplicate.value)
    assert not database_unavailable(ValueError("a bug"))
    assert brief(ValueError("a bug\nmore")) == "ValueError: a bug"


def test_an_outage_holds_every_job_back_with_one_line_per_attempt(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    cut = unreachable()
    calls: list[str] = []

    def flaky(_should_stop: StopCheck) -> str:
        calls.append("flaky")
        if calls.count("flaky") <= 2:
            raise cut
        return "did it"

    def other(_should_stop: StopCheck) -> None:
        calls.append("other")

    scheduler = Scheduler(
        [Job("flaky", 0.01, flaky), Job("other", 0.01, other)], Backoff(first=0.01, most=0.02)
    )
    with app.app_context(), caplog.at_level(logging.INFO, logger=LOGGER):
        assert scheduler.run(max_rounds=3) == 3
    assert calls == ["flaky", "flaky", "flaky", "other"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().rsplit("; ", 1)[1] for r in warnings] == [
        "trying again in 0.01 s",
        "trying again in 0.02 s",
    ]
    assert all(r.exc_info is None for r in warnings)  # no traceback storm
    assert "Database unavailable during the flaky job (OperationalError:" in caplog.text
    assert "The database is reachable again" in caplog.text
    assert "flaky: did it" in caplog.text
    assert "other:" not in caplog.text  # it had nothing to say


def test_a_job_that_fails_is_logged_with_its_traceback_and_the_others_go_on(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_should_stop: StopCheck) -> None:
        raise RuntimeError("a bug")

    def other(_should_stop: StopCheck) -> str:
        return "ran"

    scheduler = Scheduler([Job("broken", 60, broken), Job("other", 60, other)])
    with app.app_context(), caplog.at_level(logging.INFO, logger=LOGGER):
        assert scheduler.run(max_rounds=1) == 1
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.getMessage() == "The broken job failed; the other jobs go on"
    assert failure.exc_info is not None
    assert "other: ran" in caplog.text
    assert scheduler.backoff.current == 0


def test_a_stop_lets_the_job_in_progress_finish_and_starts_nothing_new(app: Flask) -> None:
    seen: list[str] = []

    def stops_midway(should_stop: StopCheck) -> str:
        scheduler.stop()
        seen.append(f"first, told to stop: {should_stop()}")
        return "finished anyway"

    def second(_should_stop: StopCheck) -> None:
        seen.append("second")

    scheduler = Scheduler([Job("first", 60, stops_midway), Job("second", 60, second)])
    with app.app_context():
        assert scheduler.run() == 1  # no limit: the stop ends it
    assert seen == ["first, told to stop: True"]
    assert scheduler.stop_reason == "asked to stop"


def test_rounds_wait_for_the_next_job_to_fall_due(app: Flask) -> None:
    runs: list[str] = []
    started = time.monotonic()

    def tick(_should_stop: StopCheck) -> None:
        runs.append("tick")

    def slow(_should_stop: StopCheck) -> None:
        runs.append("slow")

    with app.app_context():
        assert Scheduler([Job("tick", 0.05, tick), Job("slow", 60, slow)]).run(max_rounds=3) == 3
    assert runs == ["tick", "slow", "tick", "tick"]
    assert time.monotonic() - started >= 0.1


def test_a_stop_wakes_a_sleeping_scheduler_at_once(app: Flask) -> None:
    def idle(_should_stop: StopCheck) -> None:
        return None

    scheduler = Scheduler([Job("idle", 60, idle)])
    stopper = threading.Timer(0.1, scheduler.stop)
    started = time.monotonic()
    stopper.start()
    with app.app_context():
        assert scheduler.run() == 1
    assert time.monotonic() - started < 30  # far short of the minute until the job is due


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_only_asks_the_worker_to_stop(number: signal.Signals) -> None:
    before = signal.getsignal(number)
    scheduler = Scheduler([])
    with stopping_on_signals(scheduler):
        assert signal.getsignal(number) != before
        signal.raise_signal(number)  # handled before this returns
        assert scheduler.stop_reason == f"{number.name} received"
        assert signal.getsignal(number) == before  # a second one acts as it always did
    assert signal.getsignal(number) == before
