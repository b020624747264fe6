"""Sign-up: the rules for names and passwords, no enumeration, hostile input, races."""

from __future__ import annotations

import html
import re
import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import OutboxMessage, SecurityEvent, User
from tests.factories import PASSWORD, create_user, link_from
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox


def sign_up(
    auth: AuthActions,
    username: str = "fern",
    email: str = "fern@example.org",
    password: str = PASSWORD,
    **extra: str,
):  # type: ignore[no-untyped-def]
    return auth.post(
        "/signup", {"username": username, "email": email, "password": password, **extra}
    )


def users_named(app: Flask, username: str) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(sa.select(User).where(User.username == username)))


def test_sign_up_creates_an_unverified_account_and_sends_a_link(
    app: Flask, auth: AuthActions, mailbox: Mailbox
) -> None:
    response = sign_up(auth, username="Fern.Gully", email="Fern@Example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/signup/check-inbox"
    [user] = users_named(app, "fern.gully")  # stored in canonical lower case
    assert user.email == "Fern@example.org"
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    [message] = mailbox.to("Fern@example.org")
    assert "Confirm your email address" in message["Subject"]
    assert link_from(message, "/verify/")
    assert message.get_body(preferencelist=("html",)) is not None


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", "3 to 30 characters"),
        ("a" * 31, "3 to 30 characters"),
        ("has space", "3 to 30 characters"),
        ("émile", "3 to 30 characters"),
        ("јuniper", "3 to 30 characters"),  # Cyrillic ј
        (".leading", "cannot start or end with a dot"),
        ("trailing.", "cannot start or end with a dot"),
        ("two..dots", "cannot start or end with a dot"),
        ("admin", "reserved"),
        ("Admin", "reserved"),
        ("ＡＤＭＩＮ", "reserved"),  # fullwidth letters, NFKC-normalised
        ("settings", "reserved"),
        ("x" * 200, "at most 30"),
    ],
)
def test_bad_usernames_are_refused_with_a_reason(
    app: Flask, auth: AuthActions, username: str, message: str
) -> None:
    response = sign_up(auth, username=username)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_taken_username_says_so_in_any_case(app: Flask, auth: AuthActions) -> None:
    create_user(app, "juniper")
    for attempt in ("juniper", "JUNIPER", "ｊｕｎｉｐｅｒ"):
        response = sign_up(auth, username=attempt, email="other@example.org")
        assert response.status_code == 422
        assert "That username is taken." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("qwerty123456", "commonly used passwords"),
        ("QWERTY123456", "commonly used passwords"),
        ("fern-is-my-name-1", "must not contain your username"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_weak_passwords_are_refused_with_an_explanation(
    auth: AuthActions, password: str, message: str
) -> None:
    response = sign_up(auth, password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def field_error(page: str, field: str) -> str:
    """The error shown beside one field (empty if none), by its id as the form macro writes it."""
    match = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def test_every_fields_problem_is_shown_at_once_beside_its_field(
    app: Flask, auth: AuthActions
) -> None:
    response = sign_up(auth, username="ab", email="not-an-email", password="short")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "3 to 30 characters" in field_error(page, "username")
    assert "valid email address" in field_error(page, "email")
    assert "at least 12 characters" in field_error(page, "password")
    assert 'aria-invalid="true"' in page and page.count('aria-invalid="true"') == 3
    assert "Please fix the problems below." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_taken_username_is_shown_with_the_other_problems(app: Flask, auth: AuthActions) -> None:
    create_user(app, "juniper")
    page = sign_up(auth, username="juniper", password="qwerty123456").get_data(as_text=True)
    assert field_error(page, "username") == "That username is taken."
    assert "commonly used passwords" in field_error(page, "password")
    assert field_error(page, "email") == ""


def test_a_missing_field_does_not_hide_the_others_problems(auth: AuthActions) -> None:
    page = sign_up(auth, username="", email="not-an-email", password="short").get_data(as_text=True)
    assert field_error(page, "username") == "This field is required."
    assert "valid email address" in field_error(page, "email")
    assert "at least 12 characters" in field_error(page, "password")


def test_a_registered_email_with_another_problem_shows_only_that_problem(
    app: Flask, auth: AuthActions, mailbox: Mailbox
) -> None:
    """The answer about a registered address and a new one is the same: only the field's
    own problems, and its owner is not mailed until the rest of the form is right."""
    create_user(app, "juniper", "juniper@example.org")
    for email in ("juniper@example.org", "nobody.yet@example.org"):
        page = sign_up(auth, username="newcomer", email=email, password="short").get_data(
            as_text=True
        )
        assert field_error(page, "email") == ""
        assert "at least 12 characters" in field_error(page, "password")
    assert mailbox.to("juniper@example.org") == []


def test_long_passphrases_are_accepted_without_truncation(app: Flask, auth: AuthActions) -> None:
    passphrase = "a meadow of quiet mosses under " * 3  # 93 characters
    assert sign_up(auth, password=passphrase).status_code == 303
    with app.app_context():
        from app.services.accounts.passwords import verify_password

        [user] = users_named(app, "fern")
        assert verify_password(user.password_hash, passphrase)
        assert not verify_password(user.password_hash, passphrase[:72])


def test_taken_email_looks_the_same_and_warns_its_owner(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    create_user(app, "juniper", "juniper@example.org")
    fresh = sign_up(auth, username="newcomer", email="someone.new@example.org")
    taken = sign_up(auth, username="intruder", email="JUNIPER@example.org")
    assert (taken.status_code, taken.headers["Location"]) == (
        fresh.status_code,
        fresh.headers["Location"],
    )
    assert users_named(app, "intruder") == []
    [warning] = mailbox.to("juniper@example.org")
    assert "tried to sign up" in warning["Subject"]
    assert client.get("/signup/check-inbox").status_code == 200


def test_honeypot_pretends_success_and_creates_nothing(
    app: Flask, auth: AuthActions, mailbox: Mailbox
) -> None:
    response = sign_up(
        auth, username="botty", email="bot@example.org", website="http://spam.example"
    )
    assert response.status_code == 303
    assert users_named(app, "botty") == []
    assert mailbox.messages == []


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not-an-email"},
        {"email": "a" * 300 + "@example.org"},
        {"email": "fern@example.org\r\nBcc: victim@example.org"},
        {"username": ""},
        {"password": ""},
    ],
)
def test_malformed_fields_are_422_never_500(
    app: Flask, auth: AuthActions, fields: dict[str, str]
) -> None:
    response = sign_up(auth, **fields)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_sign_up_without_csrf_is_refused(client: FlaskClient) -> None:
    client.get("/signup")
    response = client.post(
        "/signup", data={"username": "fern", "email": "f@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_sign_up_is_recorded_in_the_timeline(app: Flask, auth: AuthActions) -> None:
    sign_up(auth)
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(SecurityEvent.kind)))
    assert kinds == ["signed_up"]


@pytest.mark.config(RATELIMIT_SIGNUP="2 per hour")
def test_sign_up_is_rate_limited(auth: AuthActions) -> None:
    assert sign_up(auth, username="one1", email="one@example.org").status_code == 303
    assert sign_up(auth, username="two2", email="two@example.org").status_code == 303
    response = sign_up(auth, username="three", email="three@example.org")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def race(app: Flask, forms: list[dict[str, str]]) -> list[int]:
    """Submit the sign-up forms at the same instant from separate clients."""
    clients = [app.test_client() for _ in forms]
    prepared = [AuthActions(c) for c in clients]
    tokens = []
    for actions in prepared:
        tokens.append(csrf_token_for(actions.client))
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def submit(index: int) -> None:
        barrier.wait()
        response = clients[index].post(
            "/signup", data={"csrf_token": tokens[index], **forms[index]}
        )
        statuses[index] = response.status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def committing_app(database_url: str, tmp_path):  # type: ignore[no-untyped-def]
    """An app whose requests really commit, for races; cleans up the accounts it made."""
    from tests.support.apps import build_app

    app = build_app(database_url, tmp_path / "media", {"RATELIMIT_SIGNUP": "100 per minute"})
    yield app
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.username.like("racer%")))
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address.ilike("racer%")))
        db.session.commit()
        db.engine.dispose()


def test_simultaneous_sign_ups_with_one_username_make_one_account(committing_app: Flask) -> None:
    statuses = race(
        committing_app,
        [
            {"username": "racer", "email": "racer.a@example.org", "password": PASSWORD},
            {"username": "racer", "email": "racer.b@example.org", "password": PASSWORD},
        ],
    )
    assert sorted(statuses) == [303, 422]
    assert len(users_named(committing_app, "racer")) == 1


def test_simultaneous_sign_ups_with_one_email_make_one_account(committing_app: Flask) -> None:
    statuses = race(
        committing_app,
        [
            {"username": "racer1", "email": "racer@example.org", "password": PASSWORD},
            {"username": "racer2", "email": "RACER@example.org", "password": PASSWORD},
        ],
    )
    assert statuses == [303, 303]  # neither response reveals which one won
    with committing_app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.email_key == "racer@example.org")
        )
    assert count == 1


def test_sign_up_succeeds_while_the_mail_server_is_down(app: Flask, auth: AuthActions) -> None:
    from scripts.loopback import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    assert sign_up(auth).status_code == 303
    with app.app_context():
        [message] = db.session.scalars(sa.select(OutboxMessage))
    assert message.to_address == "fern@example.org"
    assert message.sent_at is None and message.attempts == 1  # kept for `flask outbox send`
    assert len(users_named(app, "fern")) == 1
