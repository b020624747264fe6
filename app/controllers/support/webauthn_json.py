"""Small helpers for the JSON endpoints that the passkey script talks to."""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from flask import abort, jsonify, request, session
from werkzeug.wrappers import Response

from app.services.security import expiring_store

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
CHALLENGE_KEY = "webauthn_challenge"
CHALLENGE_TTL = 300  # seconds
MAX_BODY = 64 * 1024


def start_ceremony(purpose: str, options_json: str, challenge: str) -> Response:
    """Keep the challenge server-side for this ceremony only, and send the options.

    The cookie holds only a random handle: replaying an old cookie finds nothing,
    because the first answer takes the challenge out of the shared store.
    """
    handle = secrets.token_urlsafe(18)
    expiring_store.put(f"webauthn:{handle}", f"{purpose}:{challenge}", CHALLENGE_TTL)
    session[CHALLENGE_KEY] = {"handle": handle, "at": time.time()}
    response = Response(options_json, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def take_challenge(purpose: str) -> str | None:
    """The challenge for ``purpose``, used up by this call (a replayed answer finds none)."""
    data = session.pop(CHALLENGE_KEY, None)
    if not isinstance(data, dict) or not isinstance(data.get("handle"), str):
        return None
    stored = expiring_store.take(f"webauthn:{data['handle'][:64]}")
    if stored is None or not stored.startswith(f"{purpose}:"):
        return None
    return stored.removeprefix(f"{purpose}:")


def credential_from_request() -> tuple[str, dict[str, Any]]:
    """The credential JSON the browser posted, as text and parsed; 400 if it is not JSON."""
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    text = request.get_data(as_text=True)
    if len(text) > MAX_BODY or "\x00" in text or "\\u0000" in text:
        abort(400)  # no field may carry a NUL, and PostgreSQL text cannot store one
    try:
        body = json.loads(text or "null")
    except (ValueError, RecursionError):
        abort(400)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        abort(400)
    credential = body["credential"]
    for key in ("id", "rawId"):
        value = credential.get(key)
        if (
            not isinstance(value, str)
            or not 0 < len(value) <= 1400
            or not _BASE64URL.fullmatch(value)
        ):
            abort(400)
    return json.dumps(credential), body


def json_error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status
