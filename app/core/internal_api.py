"""Endpoints for the operator's tools (Prometheus, a detailed readiness probe).

A caller proves itself with ``Authorization: Bearer <key>``, one of
``INTERNAL_API_KEYS``. Without a right key the answer is the same 404 as for a
path that does not exist, never 401 or 403: nobody learns the endpoints are there.
"""

from __future__ import annotations

import hmac

from flask import abort, current_app, request


def has_internal_key() -> bool:
    """Whether the request carries one of the configured keys.

    Every key is compared, in constant time, whichever matches: the time taken
    says nothing about how much of a guess was right, or which key it was close to.
    """
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    given = presented.strip().encode() if scheme.lower() == "bearer" else b""
    matched = False
    for key in current_app.config["INTERNAL_API_KEYS"]:
        matched |= hmac.compare_digest(given, str(key).encode())
    return matched and given != b""


def require_internal_key() -> None:
    """Abort with a plain 404 unless the request has a right key (a ``before_request`` hook)."""
    if not has_internal_key():
        abort(404)
