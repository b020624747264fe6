"""`flask security under-attack on|off|status`: the switch for the CAPTCHA-for-everyone mode."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.services.security import login_guard

security = AppGroup("security", help="Abuse protection controls.")


@security.command("under-attack")
@click.argument("action", type=click.Choice(["on", "off", "status"]))
def under_attack(action: str) -> None:
    """Ask everyone for the CAPTCHA on sign-up, login and reset (or stop asking)."""
    if action != "status":
        login_guard.set_under_attack(action == "on")
    click.echo(f"Under-attack mode: {login_guard.under_attack_status()}")
