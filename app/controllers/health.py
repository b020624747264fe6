"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.extensions import csrf, db, limiter
from app.services.operations.health import readiness

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.get("/healthz")
def healthz() -> Response:
    """Alive: the process answers. Touches no dependency."""
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready: the database, Redis (if configured) and media storage all work.

    Anyone may ask, so the answer is one word; which check failed is for the
    operator, at /internal/readyz (app/controllers/internal.py).
    """
    ready, _checks = readiness()
    db.session.rollback()  # the checks only read; a failed one leaves the session unusable
    response = jsonify(status="ok" if ready else "unavailable")
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503
