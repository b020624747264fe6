"""The login policy without HTTP: services/security/login.py, from values to an outcome.

Each outcome at least once, and what each one records: security events, the failure
counters, the lock's email, the login metric. The pages these outcomes become are
tested through the client in test_login.py, test_login_guard.py and their neighbours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy import select

from app.extensions import db
from app.models import DeletionReason, OutboxMessage, SecurityEvent, SecurityEventKind, User, utcnow
from app.services.privacy import lifecycle
from app.services.security import (
    challenges,
    expiring_store,
    known_browsers,
    login,
    sessions,
    totp,
    two_step,
)
from app.services.security.clients import Client
from tests.factories import PASSWORD
from tests.support.two_step import code_at

WRONG = "a wrong guess at it"
CLIENT = Client(ip="192.0.2.10", device_label="Firefox on Linux")
# Few failures before the challenge and the lock, so each test reaches them quickly.
GUARD = {"CAPTCHA_AFTER_ACCOUNT_FAILURES": 2, "LOCK_AFTER_FAILURES": 3}


@pytest.fixture
def member(app: Flask, user: User) -> Iterator[User]:
    """Juniper, loaded in an app context that lasts the test (and is rolled back)."""
    with app.app_context():
        found = db.session.get(User, user.id)
        assert found is not None
        yield found


def attempt(password: str = PASSWORD, identifier: str = "juniper", **given: Any) -> login.Outcome:
    """A login with the form's values; a stranger's browser unless told otherwise."""
    options: dict[str, Any] = {
        "answer": challenges.Answer(),
        "known_browser": None,
        "trusted_browser": None,
        "remember": False,
    }
    return login.attempt(identifier, password, CLIENT, **(options | given))


def events(user: User) -> list[SecurityEventKind]:
    query = select(SecurityEvent.kind).where(SecurityEvent.user_id == user.id)
    return list(db.session.scalars(query.order_by(SecurityEvent.id)))


def failures_counted() -> float:
    return REGISTRY.get_sample_value("sapling_logins_total", {"outcome": "failure"}) or 0.0


def solved(challenge: challenges.Challenge) -> challenges.Answer:
    """The CAPTCHA's answer, read from the server's store as if the picture was read."""
    digits = expiring_store.get(f"captcha:{challenge.captcha_id}")
    assert digits is not None
    return challenges.Answer(captcha_id=challenge.captcha_id, captcha_answer=digits)


def test_the_right_password_logs_in_and_starts_a_session(member: User) -> None:
    outcome = attempt(remember=True)
    assert isinstance(outcome, login.LoggedIn)
    assert outcome.user is member and not outcome.restored and outcome.trusted_browser is None
    session = sessions.session_from_token(outcome.session_token)
    assert session is not None and session.user_id == member.id
    assert events(member) == [SecurityEventKind.LOGIN_SUCCEEDED]
    assert member.last_login_at is not None


def test_a_wrong_password_fails_and_is_counted(member: User) -> None:
    before = failures_counted()
    assert attempt(WRONG) == login.Failed(locked_for=0.0, challenge=None)
    assert events(member) == [SecurityEventKind.LOGIN_FAILED]
    assert expiring_store.count(f"fail:acct:user:{member.id}") == 1
    assert expiring_store.count("fail:ip:192.0.2.10") == 1
    assert failures_counted() == before + 1


def test_a_success_clears_the_accounts_failures(member: User) -> None:
    attempt(WRONG)
    assert isinstance(attempt(), login.LoggedIn)
    assert expiring_store.count(f"fail:acct:user:{member.id}") == 0


def test_an_unknown_account_fails_like_a_wrong_password(app: Flask) -> None:
    with app.app_context():
        before = failures_counted()
        assert attempt(identifier="Nobody.Here") == login.Failed(locked_for=0.0, challenge=None)
        assert expiring_store.count("fail:acct:name:nobody.here") == 1  # counted by its name
        assert db.session.scalar(select(SecurityEvent)) is None  # no timeline to write to
        assert failures_counted() == before + 1


@pytest.mark.config(**GUARD)
def test_failures_bring_the_challenge_then_a_lock_and_an_email(member: User) -> None:
    first = attempt(WRONG)
    assert first == login.Failed(locked_for=0.0, challenge=None)
    second = attempt(WRONG)
    assert isinstance(second, login.Failed) and second.challenge is not None  # the next needs it

    unanswered = attempt()  # even the right password, without the challenge's answer
    assert isinstance(unanswered, login.ChallengeRequired)
    assert events(member) == [SecurityEventKind.LOGIN_FAILED] * 2  # the password wasn't tried

    third = attempt(WRONG, answer=solved(unanswered.challenge))
    assert isinstance(third, login.Failed) and 55 <= third.locked_for <= 60
    assert third.challenge is None
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.contains("locked"))
    )
    assert mail.to_address == "juniper@example.org"

    locked = attempt()  # locked: the right password waits too, and nothing more is counted
    assert isinstance(locked, login.Locked) and 0 < locked.seconds <= 60
    assert expiring_store.count(f"fail:acct:user:{member.id}") == 3


@pytest.mark.config(**GUARD)
def test_a_challenge_answered_right_lets_the_password_be_tried(member: User) -> None:
    attempt(WRONG)
    second = attempt(WRONG)
    assert isinstance(second, login.Failed) and second.challenge is not None
    assert isinstance(attempt(answer=solved(second.challenge)), login.LoggedIn)


def test_a_known_browser_is_not_locked_out_by_strangers(member: User) -> None:
    expiring_store.put(f"lock:user:{member.id}", "1", 600)  # strangers locked the account
    assert isinstance(attempt(), login.Locked)
    cookie = known_browsers.issue(member)
    assert isinstance(attempt(known_browser=cookie), login.LoggedIn)


def test_a_known_browsers_failures_are_its_own(member: User) -> None:
    cookie = known_browsers.issue(member)
    nonce = known_browsers.vouched(cookie, member)
    assert attempt(WRONG, known_browser=cookie) == login.Failed(locked_for=0.0, challenge=None)
    assert expiring_store.count(f"fail:acct:browser:{nonce}") == 1
    assert expiring_store.count(f"fail:acct:user:{member.id}") == 0  # the account's are untouched
    assert expiring_store.count("fail:ip:192.0.2.10") == 0
    assert events(member) == [SecurityEventKind.LOGIN_FAILED]


def test_a_moderators_block_is_told_only_once_the_password_was_right(member: User) -> None:
    member.blocked_till = utcnow() + timedelta(days=3)
    member.block_reason = "Spam"
    assert isinstance(attempt(WRONG), login.Failed)
    outcome = attempt()
    assert isinstance(outcome, login.Blocked)
    assert outcome.refusal.until == member.blocked_till and outcome.refusal.reason == "Spam"
    assert SecurityEventKind.LOGIN_SUCCEEDED not in events(member)


def test_a_block_whose_time_is_up_is_lifted_at_login(member: User) -> None:
    member.blocked_till = utcnow() - timedelta(minutes=1)
    assert isinstance(attempt(), login.LoggedIn)
    assert member.blocked_till is None


def test_an_account_with_a_second_step_needs_it_unless_the_browser_is_trusted(
    member: User,
) -> None:
    totp.confirm_enrolment(member, code_at(totp.start_enrolment(member)), CLIENT)
    assert attempt() == login.NeedsSecondStep(member)
    assert SecurityEventKind.LOGIN_SUCCEEDED not in events(member)

    trusted = two_step.trust_browser(member, CLIENT)
    assert isinstance(attempt(trusted_browser=trusted), login.LoggedIn)


def test_finishing_the_second_step_can_trust_the_browser(member: User) -> None:
    outcome = login.finish(member, CLIENT, remember=False, trust=True)
    assert isinstance(outcome, login.LoggedIn) and outcome.trusted_browser is not None
    assert two_step.is_trusted(member, outcome.trusted_browser)
    assert events(member)[-1] == SecurityEventKind.BROWSER_TRUSTED


def test_logging_in_within_the_grace_period_restores_a_self_deleted_account(
    member: User,
) -> None:
    lifecycle.request_deletion(member, DeletionReason.SELF_DELETED, CLIENT)
    outcome = attempt()
    assert isinstance(outcome, login.LoggedIn) and outcome.restored
    assert member.deletion_requested_at is None
    assert SecurityEventKind.ACCOUNT_RESTORED in events(member)


@pytest.mark.parametrize("removed", ["by a moderator", "past the grace period"])
def test_a_deleted_account_cannot_log_in(app: Flask, member: User, removed: str) -> None:
    if removed == "by a moderator":
        lifecycle.request_deletion(member, DeletionReason.REMOVED_BY_MODERATOR)
    else:
        long_ago = utcnow() - app.config["ACCOUNT_DELETION_GRACE"] - timedelta(days=1)
        lifecycle.request_deletion(member, DeletionReason.SELF_DELETED, CLIENT, now=long_ago)
    assert attempt() == login.Deleted()
    assert member.deletion_requested_at is not None
    assert SecurityEventKind.LOGIN_SUCCEEDED not in events(member)
