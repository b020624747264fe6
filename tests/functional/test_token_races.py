"""Every single-use link is used once, even by two requests at the same instant.

Two real requests (test clients on two threads, each with its own database
connection) submit one link against a database that really commits. To make
them truly overlap, the test holds a lock on the account's row: each request
runs until it must write that row and waits there. Only when both are waiting
(PostgreSQL says so in pg_stat_activity) is the lock let go. On 0.7.0 both
requests then succeeded; now the link is claimed by a conditional UPDATE before
anything else happens, so the second request finds it used.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import OutboxMessage, SecurityEvent, SecurityEventKind, User
from app.services.accounts import registration
from app.services.accounts.passwords import verify_password
from tests.factories import PASSWORD, create_user
from tests.support.apps import build_app, migrated_database
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token

pytestmark = pytest.mark.postgres

LOCK_WAIT_DEADLINE = 60.0  # seconds; the requests usually queue up within milliseconds


@pytest.fixture(scope="module")
def racing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_database(tmp_path_factory, "token-races-db") as url:
        app = build_app(
            url,
            tmp_path_factory.mktemp("token-races-media") / "media",
            {"RATELIMIT_EMAIL": "1000 per minute", "RATELIMIT_EMAIL_ADDRESS": "1000 per minute"},
        )
        yield app
        with app.app_context():
            db.engine.dispose()


def link_to(app: Flask, address: str, prefix: str) -> str:
    with app.app_context():
        bodies = db.session.scalars(
            sa.select(OutboxMessage.text_body)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id.desc())
        )
        for body in bodies:
            if match := re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^\s]*)", body):
                return match.group(1)
    raise AssertionError(f"no {prefix} link was mailed to {address}")


def count_events(app: Flask, user: User, kind: SecurityEventKind) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).where(
            SecurityEvent.user_id == user.id, SecurityEvent.kind == kind
        )
        return int(db.session.scalar(query) or 0)


def count_mail(app: Flask, address: str, subject_part: str) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).where(
            OutboxMessage.to_address == address, OutboxMessage.subject.contains(subject_part)
        )
        return int(db.session.scalar(query) or 0)


def waiting_on_locks(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def race(app: Flask, user: User, link: str, forms: list[dict[str, str]]) -> list[int]:
    """POST ``link`` from two browsers at once, both held at the account row, then let go."""
    clients = [app.test_client() for _ in forms]
    tokens = []
    for client in clients:
        page = client.get(link)
        assert page.status_code == 200, page.get_data(as_text=True)
        tokens.append(csrf_token(page))
    statuses = [0] * len(forms)
    errors: list[BaseException] = []
    start = threading.Barrier(len(forms))

    def submit(index: int) -> None:
        try:
            start.wait()
            response = clients[index].post(link, data={"csrf_token": tokens[index], **forms[index]})
            statuses[index] = response.status_code
        except BaseException as error:  # noqa: BLE001 (reported by the test thread)
            errors.append(error)

    engine = sa.create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as holder:
            holder.begin()
            holder.execute(
                sa.text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user.id}
            )
            threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(forms))]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + LOCK_WAIT_DEADLINE
            while waiting_on_locks(engine) < len(forms) and not errors:
                assert time.monotonic() < deadline, "the requests never both reached the lock"
                threading.Event().wait(0.01)
            holder.rollback()
        for thread in threads:
            thread.join(timeout=LOCK_WAIT_DEADLINE)
            assert not thread.is_alive()
    finally:
        engine.dispose()
    assert not errors, errors
    return statuses


@dataclass
class Account:
    user: User
    email: str


@pytest.fixture
def member(racing_app: Flask) -> Account:
    user = create_user(racing_app)
    return Account(user, user.email)


def test_one_reset_link_resets_once(racing_app: Flask, member: Account) -> None:
    AuthActions(racing_app.test_client()).post("/password/forgot", {"email": member.email})
    link = link_to(racing_app, member.email, "/password/reset/")
    passwords = ["first racer passphrase", "second racer passphrase"]

    statuses = race(racing_app, member.user, link, [{"new_password": p} for p in passwords])

    assert sorted(statuses) == [303, 400]
    assert count_events(racing_app, member.user, SecurityEventKind.PASSWORD_RESET) == 1
    assert count_mail(racing_app, member.email, "password was reset") == 1
    winner = passwords[statuses.index(303)]
    with racing_app.app_context():
        stored = db.session.get(User, member.user.id)
        assert stored is not None
        assert [verify_password(stored.password_hash, p) for p in passwords] == [
            p == winner for p in passwords
        ]


def test_one_verification_link_verifies_once(racing_app: Flask) -> None:
    user = create_user(racing_app, verified=False)
    with racing_app.test_request_context():
        stored = db.session.get(User, user.id)
        assert stored is not None
        registration.send_verification(stored)
        db.session.commit()
    link = link_to(racing_app, user.email, "/verify/")

    assert sorted(race(racing_app, user, link, [{}, {}])) == [303, 400]
    assert count_events(racing_app, user, SecurityEventKind.EMAIL_VERIFIED) == 1


def change_email(app: Flask, account: Account, new: str) -> AuthActions:
    owner = AuthActions(app.test_client())
    assert owner.login(account.user.username).status_code == 303
    response = owner.post("/settings/email", {"email": new, "password": PASSWORD})
    assert response.status_code == 303
    return owner


def test_one_confirmation_link_changes_the_address_once(racing_app: Flask, member: Account) -> None:
    new = f"{member.user.username}@new.example"
    change_email(racing_app, member, new)
    link = link_to(racing_app, new, "/email/confirm/")

    assert sorted(race(racing_app, member.user, link, [{}, {}])) == [303, 400]
    assert count_events(racing_app, member.user, SecurityEventKind.EMAIL_CHANGED) == 1


def test_one_cancel_link_undoes_once(racing_app: Flask, member: Account) -> None:
    new = f"{member.user.username}@attacker.example"
    owner = change_email(racing_app, member, new)
    cancel = link_to(racing_app, member.email, "/email/cancel/")
    assert owner.post(link_to(racing_app, new, "/email/confirm/")).status_code == 303

    assert sorted(race(racing_app, member.user, cancel, [{}, {}])) == [303, 400]
    assert count_events(racing_app, member.user, SecurityEventKind.EMAIL_CHANGE_CANCELLED) == 1
    assert count_mail(racing_app, member.email, "address was restored") == 1
    with racing_app.app_context():
        stored = db.session.get(User, member.user.id)
        assert stored is not None and stored.email == member.email
