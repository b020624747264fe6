"""Small helpers for the JSON endpoints that the passkey script talks to."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import abort, jsonify, request, session
from werkzeug.wrappers import Response

CHALLENGE_KEY = "webauthn_challenge"
CHALLENGE_TTL = 300  # seconds
MAX_BODY = 64 * 1024


def start_ceremony(purpose: str, options_json: str, challenge: str) -> Response:
    """Keep the challenge for this ceremony only, and send the options to the browser."""
    session[CHALLENGE_KEY] = {"purpose": purpose, "challenge": challenge, "at": time.time()}
    response = Response(options_json, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def take_challenge(purpose: str) -> str | None:
    """The challenge for ``purpose``, used up by this call (a replayed answer finds none)."""
    data = session.pop(CHALLENGE_KEY, None)
    if not isinstance(data, dict) or data.get("purpose") != purpose:
        return None
    if not isinstance(data.get("at"), int | float) or time.time() - data["at"] > CHALLENGE_TTL:
        return None
    challenge = data.get("challenge")
    return challenge if isinstance(challenge, str) else None


def credential_from_request() -> tuple[str, dict[str, Any]]:
    """The credential JSON the browser posted, as text and parsed; 400 if it is not JSON."""
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        abort(400)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        abort(400)
    return json.dumps(body["credential"]), body


def json_error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status
