"""The scripted attacker's test hook: it solves every challenge a page puts in front of it.

The proof-of-work is solved in Python with the ``altcha`` package, as a script
would; the CAPTCHA's answer is read from the server's own store, as if the
picture had been read perfectly. Either way the attacker always gets through
the challenge, so what a test then shows is what the lock does.
"""

from __future__ import annotations

import html
import json
import re

import altcha
from flask import Flask

from app.services.security import expiring_store

_CAPTCHA_ID = re.compile(r'name="captcha_id" value="([^"]+)"')
_POW = re.compile(r'data-altcha-challenge="([^"]+)"')


def captcha_id_in(page: str) -> str | None:
    match = _CAPTCHA_ID.search(page)
    return match.group(1) if match else None


def pow_challenge_in(page: str) -> dict[str, object] | None:
    """The ALTCHA challenge a page carries for its script, as the script reads it."""
    match = _POW.search(page)
    if not match:
        return None
    challenge: dict[str, object] = json.loads(html.unescape(match.group(1)))
    return challenge


def solve_pow(challenge: dict[str, object]) -> str:
    """The base64 payload the page's script would put in the form's ``altcha`` field."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=60)
    assert solution is not None, "the proof-of-work had no solution in range"
    return altcha.Payload(parsed, solution).to_base64()


def captcha_answer(app: Flask, challenge_id: str) -> str:
    with app.app_context():
        answer = expiring_store.get(f"captcha:{challenge_id}")
    assert answer is not None
    return answer


def solved_fields(app: Flask, page: str, *, prefer: str = "pow") -> dict[str, str]:
    """Form fields that answer whatever challenge ``page`` shows ({} if it shows none).

    ``prefer="pow"`` answers the proof-of-work when there is one (a browser with
    JavaScript); ``prefer="captcha"``, or a page with only the picture, answers
    the CAPTCHA (a browser without).
    """
    fields: dict[str, str] = {}
    challenge = pow_challenge_in(page)
    captcha_id = captcha_id_in(page)
    if captcha_id is not None:
        fields["captcha_id"] = captcha_id
    if challenge is not None and (prefer == "pow" or captcha_id is None):
        fields["altcha"] = solve_pow(challenge)
    elif captcha_id is not None:
        fields["captcha_answer"] = captcha_answer(app, captcha_id)
    return fields
