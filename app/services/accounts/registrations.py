"""Who may join: the instance's registration mode, and what it makes of an invite link.

The mode and the member-invites switch live in ``instance_settings``, so `flask instance`
changes them for every worker at once; with no row, the config's REGISTRATION_MODE and
MEMBER_INVITES hold. ``door`` is the one place that decides whether a sign-up may go
ahead, and whether it then waits for a moderator; the sign-up page and
``registration.sign_up`` both ask it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.extensions import db
from app.models import InstanceSetting, Invite, RegistrationMode, User
from app.services.accounts import invites

MODE_KEY = "registration_mode"
MEMBER_INVITES_KEY = "member_invites"


def _setting(key: str) -> str | None:
    row = db.session.get(InstanceSetting, key)
    return row.value if row is not None else None


def _set(key: str, value: str) -> None:
    row = db.session.get(InstanceSetting, key)
    if row is None:
        db.session.add(InstanceSetting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()


def mode() -> RegistrationMode:
    """The mode in force now (the admin overview shows it too)."""
    value = _setting(MODE_KEY) or current_app.config["REGISTRATION_MODE"]
    try:
        return RegistrationMode(value)
    except ValueError:  # a row written by hand: fall back on the config, never a 500
        return RegistrationMode(current_app.config["REGISTRATION_MODE"])


def set_mode(new: RegistrationMode) -> bool:
    """False if it was already so."""
    if mode() == new:
        return False
    _set(MODE_KEY, new.value)
    return True


def member_invites() -> bool:
    """Whether members (not only moderators) may make invite links."""
    value = _setting(MEMBER_INVITES_KEY)
    return current_app.config["MEMBER_INVITES"] if value is None else value == "on"


def set_member_invites(allowed: bool) -> bool:
    if member_invites() == allowed:
        return False
    _set(MEMBER_INVITES_KEY, "on" if allowed else "off")
    return True


def may_invite(user: User) -> bool:
    """Moderators always may; members when the operator allows it and invites are needed
    (not on an open or a closed instance)."""
    if user.is_admin:
        return True
    return (
        member_invites()
        and user.account_active
        and mode() in (RegistrationMode.INVITE, RegistrationMode.APPROVAL)
    )


@dataclass(frozen=True)
class Door:
    """What the sign-up page may do now: ``admits`` (show and take the form), ``reviewed``
    (the new account waits for a moderator), ``invite`` (the valid invite to use up) and,
    when a link was given but cannot be used, ``problem`` (what to tell the person)."""

    mode: RegistrationMode
    admits: bool
    reviewed: bool = False
    invite: Invite | None = None
    problem: invites.Problem | None = None


def door(raw_invite: str | None) -> Door:
    current = mode()
    if current == RegistrationMode.OPEN:
        return Door(current, admits=True)  # an invite link changes nothing here
    invite, problem = invites.check(raw_invite) if raw_invite else (None, None)
    if invite is not None and current == RegistrationMode.CLOSED and not invite.by_staff:
        invite, problem = None, invites.Problem.CLOSED
    if current == RegistrationMode.APPROVAL:
        # Someone with an invite was vouched for: they need no review.
        return Door(current, admits=True, reviewed=invite is None, invite=invite, problem=problem)
    return Door(current, admits=invite is not None, invite=invite, problem=problem)
