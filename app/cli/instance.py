"""`flask instance ...`: who may join (the registration mode, member invites, an invite)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import RegistrationMode
from app.services.accounts import invites, registrations
from app.services.errors import FormError
from app.services.operations import mailer

instance = AppGroup("instance", help="Settings of this instance: who may join.")

EXPLAINED = {
    RegistrationMode.OPEN: "anyone may sign up",
    RegistrationMode.APPROVAL: "anyone may sign up; a moderator approves each account",
    RegistrationMode.INVITE: "only with an invite link",
    RegistrationMode.CLOSED: "nobody may sign up, but with an invite a moderator made",
}


@instance.command("registrations")
@click.argument("mode", required=False, type=click.Choice([m.value for m in RegistrationMode]))
def registrations_mode(mode: str | None) -> None:
    """Show the registration mode, or set it (open, approval, invite or closed)."""
    if mode is not None:
        changed = registrations.set_mode(RegistrationMode(mode))
        db.session.commit()
        if not changed:
            click.echo("Unchanged.")
    current = registrations.mode()
    click.echo(f"Registrations: {current.value} ({EXPLAINED[current]}).")


@instance.command("member-invites")
@click.argument("state", required=False, type=click.Choice(["on", "off"]))
def member_invites(state: str | None) -> None:
    """Show, or set, whether members (not only moderators) may make invite links."""
    if state is not None:
        registrations.set_member_invites(state == "on")
        db.session.commit()
    allowed = registrations.member_invites()
    click.echo(
        "Member invites: on (members may make invite links in invite and approval modes)."
        if allowed
        else "Member invites: off (only moderators and operators make invite links)."
    )


@instance.command("invite")
@click.option("--uses", default=1, show_default=True, type=int, help="People it may admit.")
@click.option("--days", default=7, show_default=True, type=int, help="Days it works for.")
def invite(uses: int, days: int) -> None:
    """Make an invite link (it works in every mode but open, where none is needed)."""
    try:
        _, raw = invites.create(None, uses, days)
    except FormError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(mailer.link("auth.signup", invite=raw))
    click.echo(
        f"Works {uses} time{'s' if uses != 1 else ''}, for {days} day{'s' if days != 1 else ''}."
    )
    if registrations.mode() == RegistrationMode.OPEN:
        click.echo("Registrations are open: anyone may sign up without it.")
