"""`flask security under-attack on|off|status`: the switch for the CAPTCHA-for-everyone mode."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.services.security import expiring_store, login_guard

security = AppGroup("security", help="Abuse protection controls.")


@security.command("under-attack")
@click.argument("action", type=click.Choice(["on", "off", "status"]))
def under_attack(action: str) -> None:
    """Ask everyone for the CAPTCHA on sign-up, login and reset (or stop asking)."""
    if not expiring_store.shared():
        # Without Redis the flag would live in this command's own process and end with it.
        raise click.ClickException(
            "under-attack mode needs Redis, shared by every web worker, and "
            + (
                "REDIS_URL is not set"
                if not current_app.config.get("REDIS_URL")
                else "Redis did not answer"
            )
            + ". Nothing changed. Each web worker still turns the mode on by itself "
            "under a burst of failed logins (UNDER_ATTACK_THRESHOLD)."
        )
    if action != "status":
        login_guard.set_under_attack(action == "on")
    click.echo(f"Under-attack mode: {login_guard.under_attack_status()}")
