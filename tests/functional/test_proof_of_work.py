"""The proof-of-work (ALTCHA format) in front of the CAPTCHA: signed, expiring, single use."""

from __future__ import annotations

import base64
import json
import time

import altcha
import pytest
from flask import Flask

from app.models import User
from app.services.security import login_guard
from tests.factories import PASSWORD
from tests.support.auth import AuthActions
from tests.support.challenges import captcha_id_in, pow_challenge_in, solve_pow, solved_fields

WRONG = "a wrong guess at it"


def challenged_page(app: Flask, auth: AuthActions) -> str:
    """Three failures for juniper: the next login page carries the challenge."""
    page = ""
    for _ in range(3):
        page = auth.post("/login", {"identifier": "juniper", "password": WRONG}).get_data(
            as_text=True
        )
    assert pow_challenge_in(page) is not None, "the page carries no proof-of-work"
    return page


def login_with(auth: AuthActions, page: str, **fields: str) -> int:
    data = {"identifier": "juniper", "password": PASSWORD}
    captcha_id = captcha_id_in(page)
    if captcha_id:
        data["captcha_id"] = captcha_id
    data.update(fields)
    return auth.post("/login", data).status_code


def test_a_solved_proof_of_work_stands_in_for_the_captcha(
    app: Flask, auth: AuthActions, user: User
) -> None:
    page = challenged_page(app, auth)
    challenge = pow_challenge_in(page)
    assert challenge is not None
    parameters = challenge["parameters"]
    assert isinstance(parameters, dict)
    assert parameters["algorithm"] == "PBKDF2/SHA-256" and parameters["expiresAt"] > time.time()
    assert login_with(auth, page, altcha=solve_pow(challenge)) == 303


def test_a_proof_of_work_solution_is_refused_when_replayed(
    app: Flask, auth: AuthActions, user: User
) -> None:
    page = challenged_page(app, auth)
    challenge = pow_challenge_in(page)
    assert challenge is not None
    payload = solve_pow(challenge)
    assert login_with(auth, page, altcha=payload) == 303
    auth.logout()
    auth.client.delete_cookie(app.config["KNOWN_BROWSER_COOKIE_NAME"])  # a stranger again
    page = challenged_page(app, auth)
    assert login_with(auth, page, altcha=payload) == 422  # the same solution, a second time


def test_an_expired_challenge_is_refused(app: Flask, auth: AuthActions, user: User) -> None:
    from app.services.security import proof_of_work

    page = challenged_page(app, auth)
    with app.app_context():
        stale = json.loads(proof_of_work.new_challenge(now=time.time() - 3600))
    assert login_with(auth, page, altcha=solve_pow(stale)) == 422


def _payload(challenge: dict[str, object], edit: str) -> str:
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed, timeout=60)
    assert solution is not None
    if edit == "later-expiry":
        assert parsed.parameters.expires_at is not None
        parsed.parameters.expires_at += 86400
    elif edit == "derived-key":
        solution.derived_key = "00" * 32
    elif edit == "cost":
        parsed.parameters.cost = 1
    elif edit == "foreign-key":
        parsed = altcha.create_challenge(
            "PBKDF2/SHA-256", 1, counter=1, hmac_secret="not our key", hmac_key_secret="nor this"
        )
        solution = altcha.solve_challenge(parsed, timeout=60)
        assert solution is not None
    return altcha.Payload(parsed, solution).to_base64()


@pytest.mark.parametrize("edit", ["later-expiry", "derived-key", "cost", "foreign-key"])
def test_a_tampered_or_foreign_solution_is_refused(
    app: Flask, auth: AuthActions, user: User, edit: str
) -> None:
    page = challenged_page(app, auth)
    challenge = pow_challenge_in(page)
    assert challenge is not None
    assert login_with(auth, page, altcha=_payload(challenge, edit)) == 422


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "payload",
    [
        "not base64 at all!",
        "x" * 10_000,
        _b64([1, 2, 3]),
        _b64({"challenge": "x", "solution": {}}),
        _b64({"challenge": {"parameters": {"nonce": "zz"}}, "solution": {"counter": "1"}}),
        _b64({"challenge": {"parameters": [], "signature": 5}, "solution": None}),
        base64.b64encode("🌱\u202e\x00".encode()).decode(),
        _b64({"challenge": {"parameters": {"algorithm": "SCRYPT", "cost": 2**40}}}),
    ],
)
def test_hostile_proof_of_work_payloads_are_a_clear_4xx(
    app: Flask, auth: AuthActions, user: User, payload: str
) -> None:
    page = challenged_page(app, auth)
    assert login_with(auth, page, altcha=payload) == 422


def test_the_pow_form_still_needs_its_csrf_token(app: Flask, auth: AuthActions, user: User) -> None:
    page = challenged_page(app, auth)
    challenge = pow_challenge_in(page)
    assert challenge is not None
    response = auth.client.post(
        "/login",
        data={"identifier": "juniper", "password": PASSWORD, "altcha": solve_pow(challenge)},
    )
    assert response.status_code == 400


def test_without_javascript_the_captcha_still_lets_the_owner_in(
    app: Flask, auth: AuthActions, user: User
) -> None:
    page = challenged_page(app, auth)
    fields = solved_fields(app, page, prefer="captcha")
    assert "altcha" not in fields and fields["captcha_answer"]
    assert login_with(auth, page, **fields) == 303


@pytest.mark.parametrize("path", ["/signup", "/password/forgot"])
def test_under_attack_sign_up_and_reset_accept_the_proof_of_work(
    app: Flask, auth: AuthActions, path: str
) -> None:
    with app.app_context():
        login_guard.set_under_attack(True)
    page = auth.client.get(path).get_data(as_text=True)
    challenge = pow_challenge_in(page)
    assert challenge is not None and captcha_id_in(page)
    fields = {"username": "bramble", "email": "bramble@example.org", "password": PASSWORD}
    if path != "/signup":
        fields = {"email": "bramble@example.org"}
    unsolved = auth.post(path, {**fields, "captcha_id": captcha_id_in(page) or ""})
    assert unsolved.status_code == 422
    page = unsolved.get_data(as_text=True)
    solved = auth.post(path, {**fields, **solved_fields(app, page)})
    assert solved.status_code == (303 if path == "/signup" else 200)
