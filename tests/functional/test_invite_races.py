"""Two sign-ups racing for an invite's last use: exactly one account is made.

Each side is a real transaction in a thread of its own against a database that commits
(tests/support/races.py). The first takes the use and waits to commit; the second's
conditional UPDATE waits on the invite's row, then finds no use left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Invite, RegistrationMode, User
from app.services.accounts import invites, registration, registrations
from app.services.security.clients import Client
from tests.factories import PASSWORD
from tests.support.apps import build_app, migrated_database
from tests.support.races import Side, wait_for_lock_wait

pytestmark = pytest.mark.postgres

CLIENT = Client(ip="192.0.2.20", device_label="Firefox on Linux")


@pytest.fixture(scope="module")
def committing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_database(tmp_path_factory, "invite-races-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("invite-races") / "media")
        yield app
        with app.app_context():
            db.engine.dispose()


def sign_up(username: str, raw: str) -> Callable[[], str]:
    def work() -> str:
        try:
            registration.sign_up(username, f"{username}@example.org", PASSWORD, CLIENT, invite=raw)
        except registration.RegistrationClosedError as closed:
            return f"refused: {closed.door.problem}"
        return "signed up"

    return work


def test_the_last_use_of_an_invite_is_taken_once(committing_app: Flask) -> None:
    app = committing_app
    with app.app_context():
        registrations.set_mode(RegistrationMode.INVITE)
        _, raw = invites.create(None, 1, 1)
        db.session.commit()
    commit_first = threading.Event()
    first = Side(app, sign_up("fern", raw), commit=commit_first)
    assert first.flushed.wait(60)
    second = Side(app, sign_up("hazel", raw))
    wait_for_lock_wait(app, second)  # the second UPDATE waits on the invite's row
    assert second.running()
    commit_first.set()
    assert first.finish() == "signed up"
    assert second.finish() == "refused: used_up"
    with app.app_context():
        assert db.session.scalar(sa.select(Invite.uses)) == 1
        names = set(db.session.scalars(sa.select(User.username)))
        assert "fern" in names and "hazel" not in names
