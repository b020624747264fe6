"""Two requests racing, each in a thread of its own, against a database that really
commits (tests/functional/test_upload_races.py, test_count_races.py). Tests wait for states
(an event, a backend waiting on a lock), never for a fixed time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import DeletionReason, User
from app.services.privacy import lifecycle

PATIENCE = 60  # seconds a thread may take on a loaded machine before the test gives up


class Side:
    """One request in a thread of its own: ``work`` in a request context, then a commit
    (once ``commit`` is set, if given). ``finish`` returns what ``work`` returned, or
    raises what went wrong in the thread."""

    def __init__(
        self, app: Flask, work: Callable[[], object], commit: threading.Event | None = None
    ) -> None:
        self.flushed = threading.Event()
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._done = self._thread.submit(self._run, app, work, commit)

    def _run(
        self, app: Flask, work: Callable[[], object], commit: threading.Event | None
    ) -> object:
        with app.test_request_context():
            try:
                result = work()
            finally:
                self.flushed.set()
            if commit is not None:
                assert commit.wait(PATIENCE), "never told to commit"
            db.session.commit()
            return result

    def running(self) -> bool:
        return not self._done.done()

    def finish(self) -> object:
        try:
            return self._done.result(PATIENCE)
        finally:
            self._thread.shutdown(wait=False)


def delete_account(user_id: int) -> Callable[[], None]:
    def work() -> None:
        user = db.session.get(User, user_id)
        assert user is not None
        lifecycle.request_deletion(user, DeletionReason.SELF_DELETED)

    return work


def wait_for_lock_wait(app: Flask, side: Side) -> None:
    """Until some backend of the database waits for a row lock, or ``side`` has finished."""
    deadline = time.monotonic() + PATIENCE
    with app.app_context():
        query = sa.text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        while side.running() and not db.session.scalar(query):
            db.session.rollback()  # a fresh snapshot of pg_stat_activity each time
            assert time.monotonic() < deadline, "nobody ever waited for the lock"
            time.sleep(0.02)
