"""The bounded hashing queue (app/services/accounts/hashing.py): with every slot taken by
hashes really in flight on other threads, a sign-in form gets a 503 with Retry-After and a
page that sends the same form again; with a slot free, it goes through."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import SecurityEvent, User
from app.services.accounts import hashing
from tests.factories import PASSWORD, link_from
from tests.support.auth import AuthActions
from tests.support.races import PATIENCE
from tests.support.smtp import Mailbox

SLOTS = 2
NEW_PASSWORD = "moss grows slowly on the north side"
QUEUE = {"PASSWORD_HASHING_SLOTS": SLOTS, "PASSWORD_HASHING_WAIT_MS": 50}
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@contextmanager
def hashes_in_flight(app: Flask, count: int) -> Iterator[None]:
    """``count`` hashes running on threads of their own, each holding its slot until the
    block ends: the queue as a login storm leaves it."""
    started, release = threading.Barrier(count + 1, timeout=PATIENCE), threading.Event()

    def hash_until_released() -> None:
        with app.app_context():
            hashing.run(lambda: (started.wait(), release.wait(PATIENCE)))

    with ThreadPoolExecutor(max_workers=count) as threads:
        running: list[Future[None]] = [threads.submit(hash_until_released) for _ in range(count)]
        started.wait()  # every one of them is inside its slot, on a hashing thread
        try:
            yield
        finally:
            release.set()
            for future in running:
                future.result(PATIENCE)


def resend(client: FlaskClient, busy: TestResponse) -> TestResponse:
    """Press the busy page's "Send again", as a browser would."""
    page = busy.get_data(as_text=True)
    action = html.unescape(re.search(r'<form class="form" action="([^"]+)"', page)[1])  # type: ignore[index]
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}
    return client.post(action, data=fields)


def assert_busy(response: TestResponse) -> None:
    assert response.status_code == 503
    # Flask-Limiter raises it to the end of the route's rate-limit window, if that is later.
    assert int(response.headers["Retry-After"]) >= hashing.RETRY_AFTER_SECONDS
    assert response.headers["Cache-Control"] == "no-store"
    assert "Busy for a moment" in response.get_data(as_text=True)


@pytest.mark.config(**QUEUE)
def test_a_login_with_every_slot_taken_gets_503_and_the_form_to_send_again(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    with hashes_in_flight(app, SLOTS):
        busy = auth.login("juniper", next_url="/explore")
        assert_busy(busy)
        page = busy.get_data(as_text=True)
        assert ("identifier", "juniper") in _HIDDEN.findall(page)
        assert ("next", "/explore") in _HIDDEN.findall(page)
        assert page.count('name="csrf_token"') == 1  # the page's own, not the echoed one
        with app.app_context():  # no failure counted, nothing kept
            assert db.session.scalar(sa.select(sa.func.count(SecurityEvent.id))) == 0

    again = resend(client, busy)
    assert again.status_code == 303
    assert again.headers["Location"] == "/explore"


@pytest.mark.config(**QUEUE)
def test_a_login_with_a_slot_free_goes_through(app: Flask, auth: AuthActions, user: User) -> None:
    with hashes_in_flight(app, SLOTS - 1):
        assert auth.login("juniper").status_code == 303


@pytest.mark.config(**QUEUE)
def test_sign_up_is_refused_whole_and_resent_whole(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    form = {"username": "sorrel", "email": "sorrel@example.org", "password": PASSWORD}
    with hashes_in_flight(app, SLOTS):
        busy = auth.post("/signup", form)
        assert_busy(busy)
        with app.app_context():
            assert db.session.scalar(sa.select(User).where(User.username == "sorrel")) is None

    assert resend(client, busy).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "sorrel")) is not None


@pytest.mark.config(**QUEUE)
def test_a_reset_link_refused_for_want_of_a_slot_still_works(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.post("/password/forgot", {"email": "juniper@example.org"})
    link = link_from(mailbox.to("juniper@example.org")[-1], "/password/reset/")
    with hashes_in_flight(app, SLOTS):
        busy = auth.post(link, {"new_password": NEW_PASSWORD})
        assert_busy(busy)

    done = resend(client, busy)
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert auth.login("juniper", NEW_PASSWORD).status_code == 303


@pytest.mark.config(**QUEUE)
def test_a_password_change_with_every_slot_taken_changes_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    assert auth.login("juniper").status_code == 303
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    with hashes_in_flight(app, SLOTS):
        assert_busy(auth.post("/settings/password", form))
    assert auth.logout().status_code == 303
    assert auth.login("juniper", NEW_PASSWORD).status_code != 303
    assert auth.login("juniper").status_code == 303


@pytest.mark.config(**QUEUE)
@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/reauth", {"password": PASSWORD, "next": "/settings/"}),
        ("/settings/email", {"password": PASSWORD, "email": "juniper.new@example.org"}),
    ],
)
def test_the_signed_in_routes_that_hash_answer_503_too(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, path: str, form: dict[str, str]
) -> None:
    assert auth.login("juniper").status_code == 303
    with hashes_in_flight(app, SLOTS):
        busy = auth.post(path, form)
        assert_busy(busy)
    assert resend(client, busy).status_code == 303
