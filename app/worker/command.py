"""`flask worker`: one process for all background work, on schedules of its own."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.worker.jobs import (
    build_exports,
    deliver_mail,
    fan_out_posts,
    handle_password_resets,
    maintenance_job,
    process_videos,
    run_imports,
)
from app.worker.scheduler import Job, Scheduler, stopping_on_signals

log = logging.getLogger(__name__)


@click.command("worker")
@click.option(
    "--mail-every",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Deliver the email that is due, and answer password-reset requests, this often.",
)
@click.option(
    "--exports-every",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Look for data exports to build, and archives to import, this often.",
)
@click.option(
    "--videos-every",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Look for uploaded videos to transcode (and post) this often.",
)
@click.option(
    "--feed-every",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Put new posts on their followers' home timelines (in Redis) this often.",
)
@click.option(
    "--maintenance-every",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="MINUTES",
    help="Run the maintenance (`flask maintenance run`) this often, across all workers.",
)
@click.option(
    "--no-maintenance", is_flag=True, help="Leave maintenance to a systemd timer or cron."
)
@click.option(
    "--videos",
    type=click.Choice(["yes", "no", "only"]),
    default="yes",
    show_default=True,
    help="Transcode videos here too, not here, or only that: a transcode holds its worker "
    "for minutes, so a busy instance runs one worker with 'no' and another with 'only'.",
)
@click.option(
    "--max-rounds",
    type=click.IntRange(min=1),
    metavar="N",
    help="Stop after N rounds (a round runs every job that is due).",
)
@click.option(
    "--once",
    is_flag=True,
    help="Run each job once and exit (maintenance only if it is due): for cron and tests.",
)
@with_appcontext
def worker(
    *,
    mail_every: float,
    exports_every: float,
    videos_every: float,
    feed_every: float,
    maintenance_every: float,
    no_maintenance: bool,
    videos: str,
    max_rounds: int | None,
    once: bool,
) -> None:
    """Deliver email (and password-reset links), build data exports, run imports,
    transcode uploaded videos, fan new posts out to home timelines and run the
    maintenance, each on its own schedule.

    One process does all the background work; run one next to gunicorn, or several
    for more throughput or redundancy. Several workers are safe together: each email
    and each export is claimed by one of them (row locks, SKIP LOCKED), and the
    maintenance runs once per interval between them all, never twice at the same
    time (the `scheduled_jobs` table).

    SIGTERM or Ctrl-C lets the job in progress finish and commit (the mail job stops
    after the message in hand), then exits with status 0; a second one stops at once.
    If the database goes away the worker logs one warning per attempt, waits (1 s,
    doubling up to 30 s) and carries on when it is back; a job that fails for any
    other reason is logged with its traceback and the other jobs go on.

    Email delivery is at least once: each message is committed as sent right after
    the SMTP server accepts it, so a worker that dies (or loses the database) between
    the two sends that one message again later, and no other.
    """
    if once and max_rounds:
        raise click.UsageError("--once and --max-rounds cannot be used together.")
    jobs = [
        Job("mail", mail_every, deliver_mail),
        Job("password-resets", mail_every, handle_password_resets),
        Job("exports", exports_every, build_exports),
        Job("imports", exports_every, run_imports),
        Job("feed", feed_every, fan_out_posts),
    ]
    if not no_maintenance:
        jobs.append(maintenance_job(timedelta(minutes=maintenance_every)))
    video_job = Job("videos", videos_every, process_videos)
    jobs = {"yes": [*jobs, video_job], "no": jobs, "only": [video_job]}[videos]
    scheduler = Scheduler(jobs)
    with stopping_on_signals(scheduler):
        # Only now: a supervisor (or a test) may take this line to mean SIGTERM is handled.
        log.info(
            "Worker %s started: mail every %g s, exports every %g s, %s",
            os.getpid(),
            mail_every,
            exports_every,
            "no maintenance" if no_maintenance else f"maintenance every {maintenance_every:g} min",
        )
        rounds = scheduler.run(1 if once else max_rounds)
    db.session.close()
    for engine in db.engines.values():
        engine.dispose()  # close the connections properly rather than drop them at exit
    log.info(
        "Worker %s stopped (%s) after %s round%s",
        os.getpid(),
        scheduler.stop_reason or "done",
        rounds,
        "" if rounds == 1 else "s",
    )
