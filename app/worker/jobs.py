"""The worker's jobs: each claims a unit, does it and commits it, then takes the next.

Services only flush; these loops are where background work commits (the worker's
counterpart of the request's unit of work in core/database.py). `flask outbox send` and
`flask exports build` run the same loops once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError

from app.extensions import db
from app.models import ExportStatus, ImportStatus, PendingStatus, utcnow
from app.services.accounts import password_resets
from app.services.content import home_timelines
from app.services.operations import mailer
from app.worker import exports, imports, maintenance, scheduled_jobs, videos
from app.worker.scheduler import Job, StopCheck

log = logging.getLogger(__name__)

MAINTENANCE = "maintenance"
# How often a worker asks whether maintenance is due: whichever worker asks first after
# the interval runs it, so it still runs on time when the worker that ran it last is gone.
MAINTENANCE_CHECK_SECONDS = 60.0


def deliver_mail(should_stop: StopCheck) -> str | None:
    """Send every due message, each committed as sent before the next is taken."""
    sent = failed = 0
    with mailer.Courier() as courier:
        while not should_stop() and (outcome := courier.send_next()) is not None:
            db.session.commit()  # from here on, a kill cannot send this message again
            sent, failed = sent + outcome, failed + (not outcome)
    db.session.commit()  # ends the transaction of the last look (on SQLite, a write lock)
    return f"Sent {sent}, failed {failed}." if sent or failed else None


def handle_password_resets(should_stop: StopCheck) -> str | None:
    """Turn forgot-password asks into reset links, a batch per transaction, and send those
    links at once, as a request's own email is sent after its commit (what cannot be
    sent now waits in the outbox for the mail job). The log line is a count: the
    addresses asked about never reach the log.
    """
    handled = 0
    while not should_stop():
        batch = password_resets.handle()
        db.session.commit()  # and the links are sent (core/database.after_commit)
        handled += batch
        if batch < password_resets.BATCH_SIZE:
            break
    return f"Handled {handled}." if handled else None


def fan_out_posts(_should_stop: StopCheck) -> str | None:
    """Put new posts on their readers' home timelines in Redis (home_timelines.fan_out_new).

    Only reads the database. With Redis down it does nothing (the breaker has said so
    once) and carries on from its cursor when Redis is back.
    """
    try:
        fanned = home_timelines.fan_out_new(utcnow())
    except RedisError:
        fanned = 0
    db.session.commit()  # ends the read transaction
    return f"Fanned out {fanned} post{'' if fanned == 1 else 's'}." if fanned else None


def build_exports(should_stop: StopCheck) -> str | None:
    """Build waiting exports one at a time until none is left."""
    outcomes = []
    while not should_stop() and (outcome := exports.build_next()):
        outcomes.append(outcome)
    if not outcomes:
        return None
    failed = outcomes.count(ExportStatus.FAILED)
    return f"Built {len(outcomes) - failed}, failed {failed}."


def run_imports(should_stop: StopCheck) -> str | None:
    """Run waiting imports one at a time, post by post, until none is left."""
    outcomes = []
    while not should_stop() and (outcome := imports.import_next(should_stop)):
        outcomes.append(outcome)
    if not outcomes:
        return None
    failed = outcomes.count(ImportStatus.FAILED)
    return f"Imported {len(outcomes) - failed}, failed {failed}."


def process_videos(should_stop: StopCheck) -> str | None:
    """Transcode waiting videos and make their posts, one post at a time."""
    outcomes = []
    while not should_stop() and (outcome := videos.process_next()):
        outcomes.append(outcome)
    if not outcomes:
        return None
    failed = outcomes.count(PendingStatus.FAILED)
    return f"Posted {len(outcomes) - failed}, failed {failed}."


def maintenance_job(every: timedelta) -> Job:
    def run(_should_stop: StopCheck) -> str | None:
        claim = scheduled_jobs.claim(MAINTENANCE, every)
        if claim is None:  # not due yet, or another worker is running it
            return None
        with claim:
            result = maintenance.run(claim.started_at)
        return result.summary()

    return Job(MAINTENANCE, min(every.total_seconds(), MAINTENANCE_CHECK_SECONDS), run)
