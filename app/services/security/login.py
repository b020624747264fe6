"""Logging in: every rule from the form's values to an outcome, none of them HTTP.

``attempt`` is the password login, in the order its rules apply: a browser the owner
has logged in from has counters of its own, a locked account (or browser) waits, the
challenge comes when failures or the site's state call for it, a failure is counted
(and may lock the account and email its owner), a moderator's block is told only once
the password was right, then the second step. ``finish`` is where every way in ends
(the password, the second step, a passkey): the block again, an account within the
grace period of its own deletion is restored (past it, refused), the session starts.
The controller turns each outcome into a page, cookies or a redirect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, select

from app.core import metrics
from app.core.client_ip import rate_limit_bucket
from app.core.database import after_commit
from app.extensions import db
from app.models import KnownDevice, SecurityEventKind, User, UserSession, utcnow
from app.services.accounts.identifiers import canonical_login
from app.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from app.services.accounts.registration import user_by_email
from app.services.moderation import decisions
from app.services.operations import mailer
from app.services.privacy import lifecycle
from app.services.security import (
    challenges,
    known_browsers,
    login_guard,
    security_log,
    sessions,
    two_step,
)
from app.services.security.challenges import Challenge
from app.services.security.clients import Client
from app.services.security.digests import digest


@dataclass(frozen=True)
class Locked:
    """Too many failures for the account (or this known browser): wait ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class ChallengeRequired:
    """The challenge was due and not passed; ``challenge`` is the next one to show."""

    challenge: Challenge


@dataclass(frozen=True)
class Failed:
    """A wrong password, or no such account: one answer for both. The failure is counted
    (the caller keeps it, though the request fails); ``locked_for`` is how long this one
    locked the account for (0: not locked), ``challenge`` the next try's, if it needs one."""

    locked_for: float
    challenge: Challenge | None


@dataclass(frozen=True)
class Blocked:
    """A moderator's block keeps the owner out, told only to someone who proved it is theirs."""

    refusal: decisions.Refusal


@dataclass(frozen=True)
class NeedsSecondStep:
    """The password was right; the account's second step is still to come."""

    user: User


@dataclass(frozen=True)
class Deleted:
    """The account is deleted (by a moderator, or past its grace period): it cannot log in."""


@dataclass(frozen=True)
class LoggedIn:
    user: User
    session_token: str  # the raw session id, for the auth cookie
    device_id: str
    restored: bool  # this login cancelled the account's own deletion
    trusted_browser: str | None  # the cookie that skips the second step here from now on


Finished = Blocked | Deleted | LoggedIn
Outcome = Locked | ChallengeRequired | Failed | NeedsSecondStep | Finished


def attempt(
    identifier: str,
    password: str,
    client: Client,
    *,
    answer: challenges.Answer,
    known_browser: str | None,
    trusted_browser: str | None,
    remember: bool,
) -> Outcome:
    """A login with a password. ``answer`` is the form's answer to the challenge (if it
    showed one); ``known_browser`` and ``trusted_browser`` are the browser's cookies."""
    owner = find_login_user(identifier)
    nonce = known_browsers.vouched(known_browser, owner)
    if nonce is not None:
        # A browser the owner has logged in from: strangers' failures don't lock it out.
        account, bucket = login_guard.known_browser_key(nonce), None
    else:
        account = login_guard.account_key(identifier, owner)
        bucket = rate_limit_bucket(client.ip or "")
    wait = login_guard.locked_for(account)
    if wait:
        return Locked(wait)
    if bucket and login_guard.captcha_required(account, bucket) and not challenges.passed(answer):
        return ChallengeRequired(challenges.new())
    user = authenticate(owner, password, client)
    if user is None:
        return _failed(account, bucket, owner)
    login_guard.record_success(account)
    refusal = decisions.login_refusal(user)  # told only now that the password was right
    if refusal:
        return Blocked(refusal)
    if two_step.is_enabled(user) and not two_step.is_trusted(user, trusted_browser):
        return NeedsSecondStep(user)
    return finish(user, client, remember=remember)


def _failed(account: str, bucket: str | None, owner: User | None) -> Failed:
    """Count the failure: against the account and client, or (``bucket`` None) the browser."""
    metrics.count_login(success=False)
    if bucket is None:
        locked = login_guard.record_known_browser_failure(account)
    else:
        locked = login_guard.record_failure(account, bucket, owner)
    if locked:
        return Failed(locked_for=locked, challenge=None)
    needed = bucket is not None and login_guard.captcha_required(account, bucket)
    return Failed(locked_for=0.0, challenge=challenges.new() if needed else None)


def finish(
    user: User, client: Client, *, remember: bool, trust: bool = False, second_factor: bool = False
) -> Finished:
    """Every way in ends here, once the owner has proved who they are. ``trust`` asks
    (at the second step) to skip it in this browser from now on; ``second_factor`` says
    the proof included a code or a passkey."""
    refusal = decisions.login_refusal(user)  # a block whose time is up is lifted here
    if refusal:
        return Blocked(refusal)
    restored = user.deletion_requested_at is not None
    if restored:
        # Within the grace period of a self-deletion, logging in brings the account back;
        # otherwise (removed by a moderator, or due for erasure) it cannot log in at all.
        if not lifecycle.restorable(user):
            return Deleted()
        lifecycle.restore(user, client)
    _, raw, device_id = log_in(user, client, remember=remember, second_factor=second_factor)
    after_commit(partial(metrics.count_login, success=True))  # once the session really exists
    trusted = two_step.trust_browser(user, client) if trust else None
    return LoggedIn(user, raw, device_id, restored=restored, trusted_browser=trusted)


def find_login_user(identifier: str) -> User | None:
    """The account a username or an email address names."""
    key = canonical_login(identifier)
    if "@" in key:
        return user_by_email(key)
    return db.session.scalar(select(User).where(User.username == key))


def user_by_id(user_id: int) -> User:
    """The account a passkey signed in belongs to."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user


def pending_user(user_id: int, epoch: str) -> User | None:
    """The account a pending second step is for, unless its sessions were ended since
    (a password change or "sign out everywhere" rotates the epoch)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.session_epoch == epoch else None


def authenticate(user: User | None, password: str, client: Client) -> User | None:
    """``user`` (as found by ``find_login_user``) if the password is right.

    No account costs the same time as a wrong password: a dummy verification runs.
    """
    if user is None:
        spend_verification_time(password)
        return None
    if not verify_password(user.password_hash, password):
        security_log.record(user, SecurityEventKind.LOGIN_FAILED, client)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def log_in(
    user: User, client: Client, *, remember: bool, second_factor: bool = False
) -> tuple[UserSession, str, str]:
    """Start a session; alert by email if this browser has never signed in to the account.

    Returns the session, the raw session id and the device id for the cookies.
    """
    session, raw = sessions.start_session(
        user, client, remember=remember, second_factor=second_factor
    )
    user.last_login_at = utcnow()
    security_log.record(user, SecurityEventKind.LOGIN_SUCCEEDED, client)
    is_new, device_id = sessions.remember_device(user, client)
    # Asked only for a new browser (a returning one, the usual login, saves the query):
    # did the account know any other before it? Its very first browser gets no alert.
    if is_new and _has_other_devices(user, device_id):
        security_log.record(user, SecurityEventKind.NEW_DEVICE, client, detail=client.device_label)
        mailer.queue(
            user.email,
            "new_device",
            "New sign-in to your Sapling account",
            user=user,
            client=client,
            when=utcnow(),
            devices_url=mailer.link("settings.devices"),
            reset_url=mailer.link("auth.forgot_password"),
        )
    return session, raw, device_id


def _has_other_devices(user: User, device_id: str) -> bool:
    count = db.session.scalar(
        select(func.count())
        .select_from(KnownDevice)
        .where(KnownDevice.user_id == user.id, KnownDevice.device_hash != digest(device_id))
    )
    return bool(count)
