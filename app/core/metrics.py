"""Prometheus metrics: request latency and status, logins, rate limits, and the work queues.

Counters live in this process, or, when ``PROMETHEUS_MULTIPROC_DIR`` is set
(gunicorn with several workers), in files in that directory which every worker
writes and a scrape reads together. Like prometheus_client itself, the variable
is read once, at import: it must be set before the app is loaded. Queue sizes are
not counted here at all: they are read from the database at scrape time, through the
function ``create_app`` hands to ``install_metrics`` (core imports no services).

Recording never breaks a request: a failure is logged and the request goes on.
Every label has a bounded set of values (endpoint names, never paths).
docs/metrics.md lists the metrics.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from flask import Flask, Response, current_app, g, request, request_finished, request_started
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from app.extensions import db

log = logging.getLogger(__name__)

# A *_created series next to every counter doubles the series for little use (and
# multiprocess mode has none): the exposition looks the same in both modes.
disable_created_metrics()

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
UNMATCHED = "unmatched"  # a 404 or 405 that no route answered: the path itself is never a label
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "sapling_http_request_duration_seconds",
    "Time from the start of a request to its response, hooks and commit included.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "sapling_http_responses_total", "Responses, by endpoint and status.", ["endpoint", "status"]
)
LOGINS = Counter(
    "sapling_logins_total",
    "Logins that started a session (success) and wrong passwords, codes or passkeys (failure).",
    ["outcome"],
)
RATE_LIMIT_HITS = Counter(
    "sapling_rate_limit_hits_total",
    "Requests refused with 429 Too Many Requests, by the endpoint that was limited.",
    ["limit"],
)
for _outcome in ("success", "failure"):
    LOGINS.labels(_outcome)  # both series exist from the start, at 0


class QueueSize(Protocol):
    @property
    def waiting(self) -> int: ...
    @property
    def oldest_age_seconds(self) -> float: ...


class QueueSizes(Protocol):
    """The shape of ``services.operations.queues.Queues``: what the gauges show."""

    @property
    def outbox(self) -> QueueSize: ...
    @property
    def exports(self) -> QueueSize: ...
    @property
    def videos(self) -> QueueSize: ...


def install_metrics(app: Flask, version: str, *, queue_sizes: Callable[[], QueueSizes]) -> None:
    """Time and count every request; read the queues with ``queue_sizes`` when scraped.

    Flask's ``request_started`` and ``request_finished`` signals bracket all the hooks:
    a rate limit refuses in a ``before_request`` hook, the commit runs in an ``after_request`` one.
    """
    app.extensions["sapling_version"] = version
    app.extensions["sapling_queue_sizes"] = queue_sizes
    request_started.connect(_request_started, app)
    request_finished.connect(_request_finished, app)


def _request_started(_sender: Flask, **_extra: Any) -> None:
    g.metrics_started = time.perf_counter()


def _request_finished(_sender: Flask, response: Response, **_extra: Any) -> None:
    try:
        rule = request.url_rule
        endpoint = rule.endpoint if rule is not None else UNMATCHED
        status = response.status_code
        started = g.get("metrics_started")
        if started is not None:
            method = request.method if request.method in METHODS else "other"
            REQUEST_DURATION.labels(endpoint, method).observe(time.perf_counter() - started)
        RESPONSES.labels(endpoint, str(status)).inc()
        if status == 429:  # Flask-Limiter's limits, per client and per account, and login locks
            RATE_LIMIT_HITS.labels(endpoint).inc()
    except Exception:
        log.exception("Request metrics could not be recorded")


def count_login(*, success: bool) -> None:
    try:
        LOGINS.labels("success" if success else "failure").inc()
    except Exception:
        log.exception("The login metric could not be recorded")


class _ScrapeTime:
    """What is read when Prometheus asks: the version, and the queues from the database."""

    def collect(self) -> Iterable[Metric]:
        info = GaugeMetricFamily("sapling_info", "The running Sapling version.", labels=["version"])
        info.add_metric([str(current_app.extensions["sapling_version"])], 1)
        yield info
        try:
            queue_sizes: Callable[[], QueueSizes] = current_app.extensions["sapling_queue_sizes"]
            state = queue_sizes()
        except Exception:
            log.exception("The queue metrics could not be read")
            db.session.rollback()
            return
        yield GaugeMetricFamily(
            "sapling_outbox_backlog", "Emails queued and not sent yet.", value=state.outbox.waiting
        )
        yield GaugeMetricFamily(
            "sapling_outbox_oldest_age_seconds",
            "How long the oldest unsent email has waited (0 when none).",
            value=state.outbox.oldest_age_seconds,
        )
        yield GaugeMetricFamily(
            "sapling_exports_pending",
            "Data exports asked for and not yet being built.",
            value=state.exports.waiting,
        )
        yield GaugeMetricFamily(
            "sapling_exports_oldest_age_seconds",
            "How long the oldest waiting data export has waited (0 when none).",
            value=state.exports.oldest_age_seconds,
        )
        yield GaugeMetricFamily(
            "sapling_videos_pending",
            "Posts waiting for their videos to be transcoded, or being transcoded.",
            value=state.videos.waiting,
        )
        yield GaugeMetricFamily(
            "sapling_videos_oldest_age_seconds",
            "How long the oldest post waiting for its videos has waited (0 when none).",
            value=state.videos.oldest_age_seconds,
        )


def exposition() -> bytes:
    """The Prometheus text format for a scrape of this process, or of every worker.

    Needs an app context: the queues are read through the app's database session.
    """
    registry = CollectorRegistry()
    if MULTIPROC_DIR:
        multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
    else:
        registry.register(REGISTRY)
    registry.register(_ScrapeTime())
    return generate_latest(registry)
