"""`flask users ...`: create, list and repair accounts, and grant the moderator role."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import DeletionReason, User, utcnow
from app.services.accounts import credentials, registration
from app.services.errors import FormError
from app.services.moderation import decisions
from app.services.privacy import lifecycle
from app.services.security import login, two_step

users = AppGroup("users", help="Create, list and repair user accounts.")


def _get_user(username: str) -> User:
    user = login.find_login_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    return user


@users.command("create")
@click.argument("username")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.option("--verified/--unverified", default=True, help="Mark the email address as confirmed.")
@click.password_option(help="The password (prompted, hidden, if not given).")
def create(username: str, email: str, admin: bool, verified: bool, password: str) -> None:
    """Create an account (no emails are sent)."""
    try:
        username, email, email_key = registration.validated_identity(username, email, password)
        taken = registration.address_owner(email_key)
        if taken is not None:
            owner, address = taken
            if owner.email_key == email_key:
                raise FormError("An account with that email address already exists.", "email")
            raise FormError(
                f"{address} is held for @{owner.username} while its email-change cancel "
                "link is live.",
                "email",
            )
        user = registration.create_user(username, email, email_key, password, is_admin=admin)
    except FormError as error:
        problems = (f"{problem.field or 'input'}: {problem.message}" for problem in error.errors)
        raise click.ClickException("; ".join(problems)) from None
    if verified:
        user.email_verified_at = utcnow()
    db.session.commit()
    click.echo(f"Created @{user.username}{' (admin)' if admin else ''}.")


@users.command("list")
def list_users() -> None:
    """List accounts, oldest first; sign-ups waiting for a moderator say so, and deleted ones
    waiting for their purge say so, and when."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        flags = [
            flag
            for flag, on in (
                ("admin", user.is_admin),
                ("unverified", not user.is_verified),
                ("awaiting approval", user.awaiting_approval),
            )
            if on
        ]
        deletion = _deletion_flag(user)
        if deletion:
            flags.append(deletion)
        click.echo(
            f"{user.id}\t@{user.username}\t{user.email}\t{user.created_at:%Y-%m-%d}\t"
            + ", ".join(flags)
        )


def _deletion_flag(user: User) -> str | None:
    """A deleted account is hidden everywhere else until `flask maintenance run` erases it."""
    erased_on = lifecycle.purge_date(user)
    if erased_on is None:
        return None
    if user.deletion_reason == DeletionReason.REMOVED_BY_MODERATOR.value:
        return f"removed by a moderator, erased on {erased_on:%Y-%m-%d}"
    return f"deleted by its owner, erased on {erased_on:%Y-%m-%d} unless they log in"


@users.command("set-password")
@click.argument("username")
@click.password_option(help="The new password (prompted, hidden, if not given).")
def set_password(username: str, password: str) -> None:
    """Set a user's password, as a reset would: sessions and reset links end, the owner is told."""
    user = _get_user(username)
    try:
        credentials.set_password_by_operator(user, password)
    except FormError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()  # and the email goes (core/database.after_commit)
    click.echo(
        f"Password set for @{user.username}; every session was signed out, "
        "earlier reset links stopped working, and they have been told by email."
    )


@users.command("verify-email")
@click.argument("username")
def verify_email(username: str) -> None:
    """Mark a user's email address as confirmed; outstanding confirmation links stop working."""
    user = _get_user(username)
    changed = registration.verify_by_operator(user)
    db.session.commit()  # and the email goes (core/database.after_commit)
    state = "is confirmed; they have been told by email" if changed else "was already confirmed"
    click.echo(f"@{user.username}'s address {user.email} {state}.")


@users.command("reset-mfa")
@click.argument("username")
def reset_mfa(username: str) -> None:
    """Remove a user's authenticator app, recovery codes, passkeys and trusted browsers."""
    user = _get_user(username)
    two_step.reset_all(user)
    db.session.commit()  # and the email goes (core/database.after_commit)
    click.echo(f"Two-step login was reset for @{user.username}; they have been told by email.")


@users.command("grant-admin")
@click.argument("username")
def grant_admin(username: str) -> None:
    """Make a user a moderator: the reports queue and moderation pages under /admin."""
    user = _get_user(username)
    if decisions.set_admin(user, True):
        db.session.commit()
        click.echo(f"@{user.username} is now an admin (moderator).")
    else:
        click.echo(f"@{user.username} is already an admin.")


@users.command("revoke-admin")
@click.argument("username")
def revoke_admin(username: str) -> None:
    """Take the moderator role away."""
    user = _get_user(username)
    if decisions.set_admin(user, False):
        db.session.commit()
        click.echo(f"@{user.username} is no longer an admin.")
    else:
        click.echo(f"@{user.username} was not an admin.")
