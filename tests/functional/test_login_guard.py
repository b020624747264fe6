"""Brute-force protection: the CAPTCHA, locks with backoff and an email, under-attack mode."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.models import User
from app.services.security import expiring_store
from tests.factories import PASSWORD, link_from
from tests.support.apps import REDIS_URL, build_app
from tests.support.auth import AuthActions
from tests.support.smtp import Mailbox

WRONG = "a wrong guess at it"


def challenge_in(page: str) -> str | None:
    match = re.search(r'name="captcha_id" value="([^"]+)"', page)
    return match.group(1) if match else None


def answer_for(app: Flask, challenge_id: str) -> str:
    """Read the answer from the server's own store, as the image would show it."""
    with app.app_context():
        answer = expiring_store.get(f"captcha:{challenge_id}")
    assert answer is not None
    return answer


def attempt(auth: AuthActions, app: Flask, password: str, page: str) -> tuple[int, str]:
    """One login attempt, solving the CAPTCHA if the last page showed one."""
    data = {"identifier": "juniper", "password": password}
    challenge = challenge_in(page)
    if challenge:
        data.update(captcha_id=challenge, captcha_answer=answer_for(app, challenge))
    response = auth.post("/login", data)
    return response.status_code, response.get_data(as_text=True)


def test_brute_force_meets_the_captcha_then_a_lock_then_the_owner_is_emailed(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    page = auth.client.get("/login").get_data(as_text=True)
    assert challenge_in(page) is None  # nobody is asked at first
    seen = []
    for _ in range(6):
        status, page = attempt(auth, app, WRONG, page)
        seen.append((status, challenge_in(page) is not None))
    # Two plain failures, then the CAPTCHA is demanded, then the sixth failure locks.
    assert seen[:3] == [(401, False), (401, False), (401, True)]
    assert seen[5][0] == 429
    assert "Try again in 1 minute" in page

    # Locked: even the right password waits, and says so with Retry-After.
    response = auth.post("/login", {"identifier": "juniper", "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60

    [lock_mail] = [m for m in mailbox.to("juniper@example.org") if "locked" in m["Subject"]]
    reset_page = link_from(lock_mail, "/password/forgot")
    # The real owner resets the password, which lifts the lock, and logs in.
    auth.post(reset_page, {"email": "juniper@example.org"})
    reset_link = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    assert auth.post(reset_link, {"new_password": "lichen on a north wall"}).status_code == 303
    assert (
        auth.post(
            "/login", {"identifier": "juniper", "password": "lichen on a north wall"}
        ).status_code
        == 303
    )


def test_locks_double_each_time(app: Flask, auth: AuthActions, user: User) -> None:
    page = ""
    lengths: list[float] = []
    for _ in range(14):  # a 422 (CAPTCHA asked again after a lock) is not a failure
        if len(lengths) == 2:
            break
        status, page = attempt(auth, app, WRONG, page)
        if status == 429:
            with app.app_context():
                lengths.append(expiring_store.ttl(f"lock:user:{user.id}"))
                expiring_store.delete(f"lock:user:{user.id}")  # let the clock run out
    assert len(lengths) == 2
    assert 55 <= lengths[0] <= 60 and 115 <= lengths[1] <= 120


def test_dropping_cookies_resets_nothing(app: Flask, user: User) -> None:
    for _ in range(3):
        AuthActions(app.test_client()).post("/login", {"identifier": "juniper", "password": WRONG})
    fresh_browser = AuthActions(app.test_client())
    page = fresh_browser.client.get("/login").get_data(as_text=True)
    response = fresh_browser.post("/login", {"identifier": "juniper", "password": PASSWORD})
    assert response.status_code == 422  # the CAPTCHA is still required for this account
    assert challenge_in(response.get_data(as_text=True))
    assert page  # (the first page view is clean: the risk is per account, not per visitor)


def test_a_captcha_answer_works_once(app: Flask, auth: AuthActions, user: User) -> None:
    page = ""
    for _ in range(3):
        _, page = attempt(auth, app, WRONG, page)
    challenge = challenge_in(page)
    assert challenge
    answer = answer_for(app, challenge)
    first = auth.post(
        "/login",
        {
            "identifier": "juniper",
            "password": PASSWORD,
            "captcha_id": challenge,
            "captcha_answer": answer,
        },
    )
    assert first.status_code == 303
    auth.logout()
    # That login made this a known browser, which is never asked; be a stranger again.
    auth.client.delete_cookie(app.config["KNOWN_BROWSER_COOKIE_NAME"])
    for _ in range(3):
        auth.post(
            "/login",
            {
                "identifier": "juniper",
                "password": WRONG,
                "captcha_id": challenge,
                "captcha_answer": answer,
            },
        )
    replay = auth.post(
        "/login",
        {
            "identifier": "juniper",
            "password": PASSWORD,
            "captcha_id": challenge,
            "captcha_answer": answer,
        },
    )
    assert replay.status_code == 422


def test_an_expired_captcha_is_refused(app: Flask, auth: AuthActions, user: User) -> None:
    page = ""
    for _ in range(3):
        _, page = attempt(auth, app, WRONG, page)
    challenge = challenge_in(page)
    assert challenge
    answer = answer_for(app, challenge)
    with app.app_context():
        expiring_store.delete(f"captcha:{challenge}")  # what expiry does after 5 minutes
    response = auth.post(
        "/login",
        {
            "identifier": "juniper",
            "password": PASSWORD,
            "captcha_id": challenge,
            "captcha_answer": answer,
        },
    )
    assert response.status_code == 422


def test_captcha_image_and_audio_are_served_without_third_parties(
    app: Flask, auth: AuthActions, user: User
) -> None:
    page = ""
    for _ in range(3):
        _, page = attempt(auth, app, WRONG, page)
    challenge = challenge_in(page)
    image = auth.client.get(f"/captcha/{challenge}.png")
    audio = auth.client.get(f"/captcha/{challenge}.wav")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert audio.mimetype == "audio/wav" and audio.data[:4] == b"RIFF"
    assert image.headers["Cache-Control"] == "no-store"
    assert auth.client.get("/captcha/unknown.png").status_code == 404


@pytest.mark.config(UNDER_ATTACK_THRESHOLD=5, UNDER_ATTACK_QUIET_SECONDS=60)
def test_under_attack_mode_switches_on_under_a_burst_and_off_again(app: Flask, user: User) -> None:
    visitor = AuthActions(app.test_client())
    assert challenge_in(visitor.client.get("/signup").get_data(as_text=True)) is None
    for n in range(5):  # failures spread over many accounts: no single account stands out
        AuthActions(app.test_client()).post(
            "/login", {"identifier": f"guess{n}", "password": WRONG}
        )
    for path in ("/signup", "/login", "/password/forgot"):
        assert challenge_in(visitor.client.get(path).get_data(as_text=True)), path
    with app.app_context():
        expiring_store.delete("under-attack:auto")  # the quiet period has passed
    assert challenge_in(visitor.client.get("/signup").get_data(as_text=True)) is None


@pytest.mark.config(UNDER_ATTACK_THRESHOLD=5, UNDER_ATTACK_QUIET_SECONDS=60)
def test_a_burst_that_straddles_a_minute_boundary_still_counts_whole(
    app: Flask, user: User
) -> None:
    visitor = AuthActions(app.test_client())
    while True:
        minute = int(time.time() // 60)
        with app.app_context():
            for _ in range(4):  # four failures in the minute before this one
                expiring_store.incr(f"site-fail:{minute - 1}", 120)
        AuthActions(app.test_client()).post("/login", {"identifier": "guess", "password": WRONG})
        if int(time.time() // 60) == minute:
            break
        with app.app_context():  # the clock moved on mid-try: start again from nothing
            for name in (f"site-fail:{minute - 1}", f"site-fail:{minute}", "under-attack:auto"):
                expiring_store.delete(name)
    assert challenge_in(visitor.client.get("/signup").get_data(as_text=True))


@pytest.mark.skipif(REDIS_URL is None, reason="the switch is kept in Redis, shared by every worker")
def test_operators_can_switch_under_attack_mode(app: Flask, runner: FlaskCliRunner) -> None:
    def run(action: str) -> str:
        with app.app_context():
            return runner.invoke(args=["security", "under-attack", action]).output

    assert "off" in run("status")
    assert "on (set by an operator)" in run("on")
    assert challenge_in(app.test_client().get("/signup").get_data(as_text=True))
    assert "off" in run("off")
    assert challenge_in(app.test_client().get("/signup").get_data(as_text=True)) is None


@pytest.mark.parametrize(
    "redis_url", [None, "redis://127.0.0.1:1/0"], ids=["no-redis", "redis-down"]
)
def test_the_switch_refuses_when_it_cannot_reach_the_web_workers(
    database_url: str, tmp_path: Path, redis_url: str | None
) -> None:
    """Without a Redis shared by every process, the command's own process would keep the flag
    and exit: the web workers never see it, so saying "on" would be a lie."""
    app = build_app(database_url, tmp_path / "media", {"REDIS_URL": redis_url})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["security", "under-attack", "on"])
    assert result.exit_code == 1
    assert "needs Redis" in result.output
    assert "Nothing changed" in result.output
    assert "on (set by an operator)" not in result.output
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["security", "under-attack", "status"])
    assert result.exit_code == 1
    assert "needs Redis" in result.output


def test_malformed_captcha_ids_are_404(client: object) -> None:
    from flask.testing import FlaskClient

    assert isinstance(client, FlaskClient)
    assert client.get("/captcha/" + "x" * 100 + ".png").status_code == 404
    assert client.get("/captcha/nothing-here.wav").status_code == 404
