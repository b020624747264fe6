"""Signing up and verifying an address; who holds a username or an address."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SecurityEventKind, TokenPurpose, User, UsernameHold, utcnow
from app.services.accounts import invites, registrations, tokens
from app.services.accounts.identifiers import (
    IdentifierError,
    canonical_username,
    check_email,
    check_username,
)
from app.services.accounts.passwords import hash_password, password_problems
from app.services.errors import FormError
from app.services.operations import mailer
from app.services.security import security_log
from app.services.security.clients import Client


def username_taken(username: str, *, by_other_than: User | None = None) -> bool:
    owner = db.session.scalar(select(User.id).where(User.username == username))
    if owner is not None and (by_other_than is None or owner != by_other_than.id):
        return True
    hold = db.session.scalar(
        select(UsernameHold).where(
            UsernameHold.username == username, UsernameHold.held_until > utcnow()
        )
    )
    return hold is not None and (by_other_than is None or hold.user_id != by_other_than.id)


def user_by_username(username: str) -> User | None:
    """The account with this username, whatever its state (moderators see them all)."""
    return db.session.scalar(select(User).where(User.username == canonical_username(username)))


def user_by_email(email_key: str) -> User | None:
    """The account whose address has this key (``identifiers.canonical_email``)."""
    return db.session.scalar(select(User).where(User.email_key == email_key))


def address_owner(email_key: str, *, other_than: User | None = None) -> tuple[User, str] | None:
    """The account that has this address, and where to tell it: the account using it, or
    the one a live cancel link holds it for (so a freed address cannot be squatted while
    its owner may still take the account back). ``other_than`` is never the answer."""
    user = user_by_email(email_key)
    if user is not None and (other_than is None or user.id != other_than.id):
        return user, user.email
    return tokens.holder_of(email_key, TokenPurpose.CANCEL_EMAIL_CHANGE, other_than=other_than)


def _checked(
    username: str | None, email: str | None, password: str | None
) -> tuple[tuple[str, str, str] | None, list[FormError]]:
    """Each given field against its rules, all of them: (username, email, email_key) if
    every one passed, and every field's problem. Nothing is looked up here."""
    problems: list[FormError] = []
    name, address, key = None, None, None
    if username is not None:
        try:
            name = check_username(username)
        except IdentifierError as error:
            problems.append(FormError(str(error), "username"))
    if email is not None:
        try:
            address, key = check_email(email)
        except IdentifierError as error:
            problems.append(FormError(str(error), "email"))
    if password is not None:
        weak = password_problems(
            password,
            username=name or canonical_username(username or ""),
            email=address or email or "",
        )
        if weak:
            problems.append(FormError(" ".join(weak), "password"))
    if problems or name is None or address is None or key is None:
        return None, problems
    return (name, address, key), problems


def field_problems(
    username: str | None, email: str | None, password: str | None
) -> list[FormError]:
    """Every field's problem at once; a field given as None is not checked (its form has
    refused it already). Reads no table, so the answer says nothing about any account."""
    return _checked(username, email, password)[1]


def validated_identity(username: str, email: str, password: str) -> tuple[str, str, str]:
    """Check every field; returns (username, email, email_key) or raises a FormError that
    names every field's problem."""
    identity, problems = _checked(username, email, password)
    if identity is None:
        raise FormError.all_of(problems)
    return identity


def create_user(
    username: str,
    email: str,
    email_key: str,
    password: str,
    *,
    is_admin: bool = False,
    awaiting_approval: bool = False,
) -> User:
    """Insert the account inside a savepoint, so a lost race is an error, not a broken session."""
    if username_taken(username):
        raise FormError("That username is taken.", "username")
    user = User(
        username=username,
        email=email,
        email_key=email_key,
        display_name=username,
        password_hash=hash_password(password),
        is_admin=is_admin,
        awaiting_approval=awaiting_approval,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        if username_taken(username):
            raise FormError("That username is taken.", "username") from None
        raise FormError("An account with that email address already exists.", "email") from None
    return user


class RegistrationClosedError(FormError):
    """The registration mode turns this sign-up away (``registrations.door`` says why)."""

    def __init__(self, door: registrations.Door) -> None:
        super().__init__("Sign-ups are not open here.")
        self.door = door


def sign_up(
    username: str, email: str, password: str, client: Client, *, invite: str | None = None
) -> User | None:
    """A new, unverified account with a verification link on its way, if the registration
    mode lets it in (else ``RegistrationClosedError``); in approval mode without an invite, it
    waits for a moderator.

    If the email address already has an account, nothing is created and its
    owner is told that someone tried; the caller shows the same "check your
    inbox" page either way, so sign-up cannot reveal who has an account. The
    invite's use is taken either way, for the same reason.
    """
    door = registrations.door(invite)
    if not door.admits:
        raise RegistrationClosedError(door)
    identity, problems = _checked(username, email, password)
    # Usernames are public, so a taken one may be named beside the other fields' problems.
    # The address's owner is looked up only once every field is right: no answer here
    # depends on whether the email has an account.
    if not any(problem.field == "username" for problem in problems) and username_taken(
        canonical_username(username)
    ):
        problems.insert(0, FormError("That username is taken.", "username"))
    if identity is None or problems:
        raise FormError.all_of(problems)
    username, email, email_key = identity
    if door.invite is not None and not invites.use(door.invite):
        # Used up (or withdrawn) between the page and this request.
        raise RegistrationClosedError(registrations.door(invite))
    owner = address_owner(email_key)
    if owner is not None:
        hash_password(password)  # the same work as creating an account: no timing tell
        _tell_owner_of_signup_attempt(*owner)
        return None
    try:
        user = create_user(username, email, email_key, password, awaiting_approval=door.reviewed)
    except FormError as error:
        if error.field != "email":
            raise
        # Someone registered this address a moment ago: behave as above.
        existing = user_by_email(email_key)
        if existing is not None:
            _tell_owner_of_signup_attempt(existing, existing.email)
        return None
    security_log.record(user, SecurityEventKind.SIGNED_UP, client)
    send_verification(user)
    return user


def _tell_owner_of_signup_attempt(user: User, address: str) -> None:
    mailer.queue(
        address,
        "signup_attempt",
        "Someone tried to sign up with your email address",
        user=user,
        login_url=mailer.link("auth.login"),
        reset_url=mailer.link("auth.forgot_password"),
    )


def send_verification(user: User) -> None:
    raw = tokens.issue(
        user, TokenPurpose.VERIFY_EMAIL, user.email, current_app.config["EMAIL_VERIFY_TTL"]
    )
    mailer.queue(
        user.email,
        "verify_email",
        "Confirm your email address for Sapling",
        user=user,
        verify_url=mailer.link("auth.verify_email", token=raw),
    )


def verify_email(raw: str, client: Client) -> User | None:
    """Mark the address verified; None if the link is unknown, used, expired or outdated."""
    token = tokens.consume(raw, TokenPurpose.VERIFY_EMAIL)
    if token is None or token.email != token.user.email:
        return None  # an outdated link: the request is refused, so the claim rolls back
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        security_log.record(user, SecurityEventKind.EMAIL_VERIFIED, client, detail=user.email)
    return user


def verify_by_operator(user: User) -> bool:
    """`flask users verify-email`: confirm the address by hand; False if it already was.

    Outstanding verification links die, the timeline says who did it, the owner is told.
    """
    tokens.revoke_all(user, TokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is not None:
        return False
    user.email_verified_at = utcnow()
    security_log.record(
        user, SecurityEventKind.EMAIL_VERIFIED, None, detail=f"{user.email}, by an operator"
    )
    mailer.queue(
        user.email,
        "email_verified_by_operator",
        "Your Sapling email address was confirmed",
        user=user,
        login_url=mailer.link("auth.login"),
    )
    return True


def verification_link_email(raw: str) -> str | None:
    """The address a verification link would confirm, if the link still works."""
    token = tokens.find(raw, TokenPurpose.VERIFY_EMAIL)
    return token.email if token is not None and token.email == token.user.email else None
