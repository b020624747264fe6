"""How the registration mode and invites are shown: the sign-up page's notice and status,
invite rows with what is left of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.models import Invite, RegistrationMode, User, utcnow

# What a given invite link's problem (``invites.Problem``'s values) tells the person.
PROBLEMS = {
    "unknown": "This invite link doesn't work. Check that you copied all of it.",
    "revoked": "This invite was withdrawn by the person who made it.",
    "used_up": "This invite has been used as many times as it allows.",
    "expired": "This invite has expired. Ask whoever sent it for a new one.",
    "closed": "Sign-ups are closed here for now, so this invite can't be used.",
}

MODE_NOTICES = {
    RegistrationMode.APPROVAL: "A moderator reviews every new account before it can log in.",
    RegistrationMode.INVITE: "You were invited: welcome.",
    RegistrationMode.CLOSED: "You were invited by the moderators: welcome.",
}


class SignupDoor(Protocol):
    """``registrations.Door``, from the controller."""

    @property
    def mode(self) -> RegistrationMode: ...

    @property
    def admits(self) -> bool: ...

    @property
    def problem(self) -> str | None: ...


def door_status(door: SignupDoor) -> int:
    """A spent invite is 410 Gone, an unknown one 404, no way in at all 403."""
    if door.problem in ("revoked", "used_up", "expired"):
        return 410
    if door.problem == "unknown":
        return 404
    return 200 if door.admits else 403


@dataclass(frozen=True)
class InviteRow:
    id: int
    maker: str
    uses: int
    max_uses: int
    created_at: datetime
    expires_at: datetime
    state: str  # "Works", "Used up", "Expired", "Withdrawn"

    @property
    def live(self) -> bool:
        return self.state == "Works"

    @property
    def uses_left(self) -> int:
        return self.max_uses - self.uses


def invite_row(invite: Invite, maker: User | None = None, *, staff_view: bool = False) -> InviteRow:
    now = utcnow()
    if invite.revoked_at is not None:
        state = "Withdrawn"
    elif invite.uses >= invite.max_uses:
        state = "Used up"
    elif invite.expires_at <= now:
        state = "Expired"
    else:
        state = "Works"
    if maker is not None:
        name = f"@{maker.username}"
    elif staff_view and invite.creator_id is None:
        name = "an operator" if invite.by_staff else "a removed account"
    else:
        name = ""
    return InviteRow(
        invite.id,
        name,
        invite.uses,
        invite.max_uses,
        invite.created_at,
        invite.expires_at,
        state,
    )
