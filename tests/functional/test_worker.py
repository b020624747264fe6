"""`flask worker`: real worker processes on a database that commits, side by side, through
a database that goes away, and stopped by signals; and its rounds, run in this process.

These tests need commits other connections and processes can see, so they share a
throwaway database of their own, emptied of mail, exports and job rows before each.
"""

from __future__ import annotations

import re
import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import DataExport, OutboxMessage, PasswordResetRequest, ScheduledJob, utcnow
from app.services.accounts import password_resets
from app.services.privacy import exports
from app.services.security.clients import Client
from app.worker import scheduled_jobs
from tests.factories import create_user
from tests.support.apps import build_app, migrated_database
from tests.support.smtp import SMTPServer
from tests.support.tcp_proxy import TCPProxy
from tests.support.worker_process import PATIENCE, STARTED, WorkerProcess, wait_until

QUIET = ("--exports-every", "60", "--no-maintenance")  # mail only, for the mail tests
MAINTENANCE_LINE = "maintenance: Removed "


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with migrated_database(tmp_path_factory, "worker-db") as url:
        yield url, tmp_path_factory.mktemp("worker-media") / "media"


@pytest.fixture
def worker_app(database: tuple[str, Path], smtp_server: SMTPServer) -> Iterator[Flask]:
    url, media = database
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_USE_TLS": False}
    app = build_app(url, media, mail)
    with app.app_context():
        for model in (OutboxMessage, DataExport, ScheduledJob, PasswordResetRequest):
            db.session.execute(sa.delete(model))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def start(
    app: Flask, log: Path, *args: str, url: str | None = None, log_level: str = "INFO"
) -> WorkerProcess:
    return WorkerProcess(
        log,
        url or app.config["DATABASE_URL"],
        Path(app.config["MEDIA_ROOT"]),
        *args,
        smtp_port=app.config["MAIL_PORT"],
        log_level=log_level,
    )


def queue(app: Flask, prefix: str, count: int = 1) -> None:
    with app.app_context():
        db.session.add_all(
            OutboxMessage(
                to_address=f"{prefix}-{n}@example.org",
                subject=f"{prefix} {n}",
                text_body="Hello",
                html_body="<p>Hello</p>",
            )
            for n in range(count)
        )
        db.session.commit()


def unsent(app: Flask) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))
        return db.session.scalar(query) or 0


def maintenance_row(app: Flask) -> ScheduledJob | None:
    with app.app_context():
        return db.session.get(ScheduledJob, "maintenance")


def run_worker(app: Flask, *args: str) -> Result:
    result = app.test_cli_runner().invoke(args=["worker", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.postgres
def test_two_workers_deliver_each_message_exactly_once(
    worker_app: Flask, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    messages = 300
    fast = ("--mail-every", "0.1", *QUIET)
    with (
        start(worker_app, tmp_path / "one.log", *fast) as one,
        start(worker_app, tmp_path / "two.log", *fast) as two,
    ):
        one.wait_for_log(STARTED)
        two.wait_for_log(STARTED)
        queue(worker_app, "burst", messages)  # both are polling: they compete for it
        wait_until(lambda: unsent(worker_app) == 0, PATIENCE, "the outbox to empty")
        assert one.stop() == 0
        assert two.stop() == 0
    arrived = Counter((str(m["To"]), str(m["Subject"])) for m in smtp_server.mailbox.messages)
    assert arrived == {(f"burst-{n}@example.org", f"burst {n}"): 1 for n in range(messages)}
    sent_by = [sum(map(int, re.findall(r"mail: Sent (\d+)", w.log))) for w in (one, two)]
    assert sum(sent_by) == messages
    assert all(sent_by), f"one worker sent everything ({sent_by}): nothing was contended"
    with worker_app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert all(row.sent_at is not None and row.attempts == 0 for row in rows)
    assert "Traceback" not in one.log + two.log


@pytest.mark.postgres
def test_a_worker_rides_out_the_database_going_away(
    worker_app: Flask, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    real = make_url(worker_app.config["DATABASE_URL"])
    assert real.host and real.port
    mailbox = smtp_server.mailbox

    def delivered(prefix: str) -> bool:
        """Accepted by the SMTP server and committed as sent: cutting the database between
        the two would (rightly) send it again, which is not what this test is about."""
        return bool(mailbox.to(f"{prefix}-0@")) and unsent(worker_app) == 0

    with TCPProxy(real.host, real.port) as proxy:
        through_proxy = real.set(port=proxy.port).render_as_string(hide_password=False)
        with start(
            worker_app, tmp_path / "worker.log", "--mail-every", "0.2", *QUIET, url=through_proxy
        ) as worker:
            queue(worker_app, "before")
            wait_until(lambda: delivered("before"), PATIENCE, "the first message")

            proxy.stop()  # the database is down: connections cut, new ones refused
            queue(worker_app, "during")  # written straight to the real server
            worker.wait_for_log("Database unavailable during the mail job", count=2)
            assert worker.process.poll() is None
            assert not mailbox.to("during-0@")

            proxy.start()
            wait_until(lambda: delivered("during"), PATIENCE, "delivery once the database is back")
            worker.wait_for_log("The database is reachable again")

            # A backend killed under it (a failover, an administrator) is survived as well.
            with worker_app.app_context():
                killed = db.session.scalar(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                db.session.rollback()
            assert killed
            queue(worker_app, "after")
            wait_until(lambda: delivered("after"), PATIENCE, "delivery after the backend died")
            assert worker.stop() == 0
    assert "Traceback" not in worker.log  # one line per failed attempt, nothing more
    assert len(mailbox.messages) == 3


def test_maintenance_runs_once_between_two_workers(worker_app: Flask, tmp_path: Path) -> None:
    before = utcnow()
    with ExitStack() as stack:
        workers = [
            stack.enter_context(start(worker_app, tmp_path / f"{n}.log", "--once"))
            for n in range(2)
        ]
        for worker in workers:
            assert worker.process.wait(PATIENCE) == 0, worker.log
    logs = "".join(worker.log for worker in workers)
    assert logs.count(MAINTENANCE_LINE) == 1
    assert "Traceback" not in logs
    row = maintenance_row(worker_app)
    assert row is not None and row.last_started_at and row.last_finished_at
    assert before <= row.last_started_at <= row.last_finished_at <= utcnow()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_an_idle_worker_promptly(
    worker_app: Flask, tmp_path: Path, number: signal.Signals
) -> None:
    # Its next round is five minutes away: a worker that waited out its sleep would
    # outlast stop()'s own timeout many times over.
    idle = ("--no-maintenance", "--mail-every", "300", "--exports-every", "300")
    with start(worker_app, tmp_path / "worker.log", *idle, log_level="DEBUG") as worker:
        worker.wait_for_log("Round 1 done; the next is due in ")  # it sleeps now
        assert worker.stop(number, timeout=60) == 0
    assert f"stopped ({number.name} received) after 1 round" in worker.log
    assert "Traceback" not in worker.log


def test_the_worker_answers_forgot_password_asks_and_logs_no_address(
    worker_app: Flask, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    owner = create_user(worker_app)
    with start(worker_app, tmp_path / "worker.log", "--mail-every", "0.1", *QUIET) as worker:
        worker.wait_for_log(STARTED)
        with worker_app.app_context():
            client = Client(ip="192.0.2.7", device_label="Firefox on Linux")
            password_resets.ask(owner.email.upper(), client)
            password_resets.ask("no-account@example.org", client)
            db.session.commit()
        worker.wait_for_log("password-resets: Handled 2.")  # and the link sent at once
        assert worker.stop() == 0
    [message] = smtp_server.mailbox.messages
    assert str(message["To"]) == owner.email and "Reset your" in str(message["Subject"])
    body = message.get_body(("plain",))
    assert body is not None and "Firefox on Linux (IP 192.0.2.7)" in body.get_content()
    assert owner.email not in worker.log and "no-account" not in worker.log
    with worker_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetRequest)) == 0


def test_one_round_does_every_kind_of_work(worker_app: Flask, smtp_server: SMTPServer) -> None:
    owner = create_user(worker_app)
    with worker_app.app_context():
        exports.request_export(owner)
        db.session.commit()
    queue(worker_app, "round", 3)
    result = run_worker(worker_app, "--once")
    assert "mail: Sent 3, failed 0." in result.output
    assert "exports: Built 1, failed 0." in result.output
    assert result.output.count(MAINTENANCE_LINE) == 1
    assert "stopped (done) after 1 round" in result.output
    assert len(smtp_server.mailbox.messages) == 4  # and the export's "ready" email
    assert unsent(worker_app) == 0


def test_idle_rounds_log_nothing_and_no_maintenance_skips_it(worker_app: Flask) -> None:
    result = run_worker(
        worker_app,
        *("--max-rounds", "3", "--mail-every", "0.1", "--exports-every", "0.1"),
        "--no-maintenance",
    )
    assert "no maintenance" in result.output
    assert "stopped (done) after 3 rounds" in result.output
    assert "mail:" not in result.output and "exports:" not in result.output
    assert MAINTENANCE_LINE not in result.output
    assert maintenance_row(worker_app) is None


def test_maintenance_waits_for_its_interval(worker_app: Flask) -> None:
    assert MAINTENANCE_LINE in run_worker(worker_app, "--once").output
    assert MAINTENANCE_LINE not in run_worker(worker_app, "--once").output
    with worker_app.app_context():
        row = db.session.get(ScheduledJob, "maintenance")
        assert row is not None and row.last_started_at is not None
        row.last_started_at -= timedelta(minutes=10)
        db.session.commit()
    assert MAINTENANCE_LINE in run_worker(worker_app, "--once").output
    assert MAINTENANCE_LINE not in run_worker(worker_app, "--once").output


@pytest.mark.postgres
def test_a_worker_passes_over_maintenance_another_is_running(worker_app: Flask) -> None:
    engine = sa.create_engine(worker_app.config["DATABASE_URL"])
    try:
        with engine.connect() as other_worker:
            other_worker.execute(sa.insert(ScheduledJob).values(name="maintenance"))
            other_worker.commit()
            other_worker.execute(sa.select(ScheduledJob).with_for_update())  # running it
            busy = run_worker(worker_app, "--once")
            other_worker.rollback()
    finally:
        engine.dispose()
    assert MAINTENANCE_LINE not in busy.output  # and it did not wait for the lock either
    assert MAINTENANCE_LINE in run_worker(worker_app, "--once").output


def test_a_failed_run_is_recorded_without_an_end_and_waits_its_turn(worker_app: Flask) -> None:
    every = timedelta(minutes=10)
    with worker_app.app_context():
        claim = scheduled_jobs.claim("maintenance", every)
        assert claim is not None
        with pytest.raises(RuntimeError), claim:
            raise RuntimeError("a bug")  # the scheduler logs it; it is not retried at once
        assert scheduled_jobs.claim("maintenance", every) is None
    row = maintenance_row(worker_app)
    assert row is not None and row.last_finished_at is None
    assert row.last_started_at == claim.started_at


def test_once_and_max_rounds_do_not_mix(worker_app: Flask) -> None:
    result = worker_app.test_cli_runner().invoke(args=["worker", "--once", "--max-rounds", "2"])
    assert result.exit_code == 2
    assert "cannot be used together" in result.output


def test_a_worker_killed_mid_run_sends_again_at_most_the_message_in_flight(
    worker_app: Flask, smtp_server: SMTPServer, tmp_path: Path
) -> None:
    total, sent_before_kill = 40, 13
    mailbox = smtp_server.mailbox
    queue(worker_app, "kill", total)
    # The 14th message is taken by the server and never answered: the worker is killed
    # while it waits, between the server's acceptance and its own commit.
    mailbox.hold_reply(sent_before_kill + 1)
    with start(worker_app, tmp_path / "first.log", "--mail-every", "0.1", *QUIET) as first:
        assert mailbox.holding.wait(PATIENCE), first.log
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    [in_flight] = [str(m["Subject"]) for m in mailbox.messages[sent_before_kill:]]

    with start(worker_app, tmp_path / "second.log", "--mail-every", "0.1", *QUIET) as second:
        wait_until(lambda: unsent(worker_app) == 0, PATIENCE, "the outbox to empty")
        assert second.stop() == 0
    arrived = Counter(str(m["Subject"]) for m in mailbox.messages)
    assert set(arrived) == {f"kill {n}" for n in range(total)}
    again = [subject for subject, count in arrived.items() if count > 1]
    assert again in ([], [in_flight]), f"sent twice: {sorted(again)}"
    assert arrived[in_flight] <= 2
    assert "Traceback" not in second.log


def test_a_round_sends_everything_over_one_smtp_connection(
    worker_app: Flask, smtp_server: SMTPServer
) -> None:
    queue(worker_app, "together", 5)
    assert "mail: Sent 5, failed 0." in run_worker(worker_app, "--once").output
    assert len(set(smtp_server.mailbox.peers)) == 1
