"""Endpoints for the operator's tools: Prometheus metrics and the detailed readiness view.

Every route here needs ``Authorization: Bearer <key>`` with a key from
``INTERNAL_API_KEYS``; anyone else gets the 404 of a path that does not exist.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST

from app.core.internal_api import require_internal_key
from app.core.metrics import exposition
from app.extensions import csrf, db, limiter
from app.services.operations.health import readiness
from app.services.operations.queues import queues

log = logging.getLogger(__name__)

bp = Blueprint("internal", __name__)
bp.before_request(require_internal_key)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.get("/metrics")
def metrics() -> Response:
    response = Response(exposition(), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/internal/readyz")
def readyz() -> tuple[Response, int]:
    """The public /readyz's checks one by one, the version and the work waiting."""
    ready, checks = readiness()
    db.session.rollback()  # the checks only read; a failed one leaves the session unusable
    try:
        waiting: dict[str, object] | None = asdict(queues())
    except Exception:
        log.exception("The queues could not be read")
        db.session.rollback()
        waiting = None
    response = jsonify(
        status="ok" if ready else "unavailable",
        checks=checks,
        version=current_app.extensions["sapling_version"],
        queues=waiting,
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503
