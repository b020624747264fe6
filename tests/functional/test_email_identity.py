"""One normal form of an email address, for sign-up, login, reset, email change and
every limit key: no spelling of an address reaches its account under a fresh key.

Invisible (default-ignorable) characters are refused where an address is given to an
account (sign-up, email change); everywhere an address is only looked up or counted,
every spelling comes down to the one key.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import User
from tests.factories import PASSWORD, create_user
from tests.support.auth import AuthActions
from tests.support.email_spellings import INVISIBLE, fullwidth, spellings
from tests.support.smtp import Mailbox

REAL = "juniper@example.org"


VARIANTS = spellings("juniper")
VISIBLE = sorted(set(VARIANTS) - INVISIBLE)
HIGH = "10000 per hour"
ONE_INBOX = pytest.mark.config(
    RATELIMIT_EMAIL_ADDRESS="3 per hour",
    RATELIMIT_EMAIL=HIGH,
    RATELIMIT_SIGNUP=HIGH,
    RATELIMIT_LOGIN=HIGH,
)


@pytest.fixture
def visitors(app: Flask) -> Iterator[AuthActions]:
    """A fresh browser from a fresh address each time: only per-inbox limits can apply."""

    def endless() -> Iterator[AuthActions]:
        for n in count(1):
            visitor = AuthActions(app.test_client())
            visitor.client.environ_base["REMOTE_ADDR"] = f"198.51.{n // 250}.{n % 250 + 1}"
            yield visitor

    return endless()


def forgot(visitor: AuthActions, email: str) -> TestResponse:
    return visitor.post("/password/forgot", {"email": email})


def sign_up(visitor: AuthActions, email: str, username: str = "intruder") -> TestResponse:
    return visitor.post("/signup", {"username": username, "email": email, "password": PASSWORD})


def accounts(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        query = sa.select(User.username, User.email, User.email_key).order_by(User.id)
        return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def resets_to(mailbox: Mailbox, address: str) -> int:
    return sum("Reset your" in str(m["Subject"]) for m in mailbox.to(address))


# --- Forgot password ---------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_forgot_password_finds_the_account_by_any_spelling(
    visitors: Iterator[AuthActions], user: User, mailbox: Mailbox, variant: str
) -> None:
    assert forgot(next(visitors), VARIANTS[variant]).status_code == 200
    assert resets_to(mailbox, REAL) == 1


@ONE_INBOX
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_reset_limit_follows_the_address_whatever_its_spelling(
    visitors: Iterator[AuthActions], user: User, mailbox: Mailbox, variant: str
) -> None:
    assert [forgot(next(visitors), REAL).status_code for _ in range(3)] == [200, 200, 200]
    assert forgot(next(visitors), VARIANTS[variant]).status_code == 429
    assert resets_to(mailbox, REAL) == 3


# --- Login --------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_login_finds_the_account_by_any_spelling(
    visitors: Iterator[AuthActions], user: User, variant: str
) -> None:
    assert next(visitors).login(VARIANTS[variant]).status_code == 303


@pytest.mark.config(
    CAPTCHA_AFTER_ACCOUNT_FAILURES=3, CAPTCHA_AFTER_CLIENT_FAILURES=1000, RATELIMIT_LOGIN=HIGH
)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_failed_logins_for_an_unknown_address_count_as_one_whatever_its_spelling(
    visitors: Iterator[AuthActions], variant: str
) -> None:
    for _ in range(3):
        assert next(visitors).login("nobody@example.org", "wrong password!").status_code == 401
    # The fourth attempt, in another spelling, meets the CAPTCHA that the address earned.
    response = next(visitors).login(spellings("nobody")[variant], "wrong password!")
    assert response.status_code == 422
    assert 'name="captcha_answer"' in response.get_data(as_text=True)


# --- Sign-up ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VISIBLE)
def test_sign_up_with_another_spelling_of_a_taken_address_is_the_taken_address(
    app: Flask, visitors: Iterator[AuthActions], user: User, mailbox: Mailbox, variant: str
) -> None:
    response = sign_up(next(visitors), VARIANTS[variant])
    assert (response.status_code, response.headers["Location"]) == (303, "/signup/check-inbox")
    assert [name for name, _, _ in accounts(app)] == ["juniper"]
    [warning] = mailbox.to(REAL)
    assert "tried to sign up" in warning["Subject"]


@pytest.mark.parametrize("variant", sorted(INVISIBLE))
def test_sign_up_refuses_invisible_characters_with_a_reason(
    app: Flask, visitors: Iterator[AuthActions], mailbox: Mailbox, variant: str
) -> None:
    response = sign_up(next(visitors), spellings("fern")[variant], username="fern")
    assert response.status_code == 422
    assert "invisible character" in response.get_data(as_text=True)
    assert accounts(app) == []
    assert mailbox.messages == []


def test_a_new_address_is_stored_in_its_one_form(
    app: Flask, visitors: Iterator[AuthActions], mailbox: Mailbox
) -> None:
    fancy = fullwidth("Fern") + "@" + fullwidth("Example") + "\u3002org"
    assert sign_up(next(visitors), fancy, username="fern").status_code == 303
    assert accounts(app) == [("fern", "Fern@example.org", "fern@example.org")]
    [message] = mailbox.messages
    assert str(message["To"]) == "Fern@example.org"


@ONE_INBOX
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_sign_up_limit_follows_the_address_whatever_its_spelling(
    visitors: Iterator[AuthActions], user: User, variant: str
) -> None:
    assert [sign_up(next(visitors), REAL, f"intruder{n}").status_code for n in range(3)] == [
        303,
        303,
        303,
    ]
    assert sign_up(next(visitors), VARIANTS[variant]).status_code == 429


# --- Changing the email address -----------------------------------------------------------


@pytest.fixture
def rowan(app: Flask, visitors: Iterator[AuthActions]) -> AuthActions:
    """Another member, logged in, who tries to take juniper's address."""
    create_user(app, "rowan", "rowan@example.org")
    browser = next(visitors)
    assert browser.login("rowan").status_code == 303
    return browser


def change_email(browser: AuthActions, email: str) -> TestResponse:
    return browser.post("/settings/email", {"email": email, "password": PASSWORD})


@pytest.mark.parametrize("variant", VISIBLE)
def test_email_change_to_another_spelling_of_a_taken_address_is_the_taken_address(
    user: User, rowan: AuthActions, mailbox: Mailbox, variant: str
) -> None:
    assert change_email(rowan, VARIANTS[variant]).status_code == 303
    [warning] = mailbox.to(REAL)
    assert "tried to use your email" in warning["Subject"]
    assert not [m for m in mailbox.messages if "Confirm your new" in str(m["Subject"])]


@pytest.mark.parametrize("variant", sorted(INVISIBLE))
def test_email_change_refuses_invisible_characters_with_a_reason(
    rowan: AuthActions, mailbox: Mailbox, variant: str
) -> None:
    response = change_email(rowan, spellings("rowan.new")[variant])
    assert response.status_code == 422
    assert "invisible character" in response.get_data(as_text=True)
    assert mailbox.messages == []


@pytest.mark.parametrize("variant", VISIBLE)
def test_email_change_to_another_spelling_of_ones_own_address_changes_nothing(
    rowan: AuthActions, variant: str
) -> None:
    response = change_email(rowan, spellings("rowan")[variant])
    assert response.status_code == 422
    assert "That is already your email address." in response.get_data(as_text=True)


@ONE_INBOX
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_email_change_limit_follows_the_address_whatever_its_spelling(
    user: User, rowan: AuthActions, variant: str
) -> None:
    assert [change_email(rowan, REAL).status_code for _ in range(3)] == [303, 303, 303]
    assert change_email(rowan, VARIANTS[variant]).status_code == 429


def test_an_address_of_invisible_characters_is_refused_not_an_error(
    visitors: Iterator[AuthActions],
) -> None:
    padded = "\u200b" * 240 + "fern@example.org"
    assert sign_up(next(visitors), padded, username="fern").status_code == 422
    assert forgot(next(visitors), padded).status_code in (200, 422)
    assert next(visitors).login(padded, "wrong password!").status_code in (401, 422)
