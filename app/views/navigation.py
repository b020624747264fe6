"""Navigation view-models."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str
    current: bool = False
    badge: int | None = None


def primary_nav(authenticated: bool, endpoint: str | None) -> list[NavItem]:
    """The main navigation for this visitor; the current page is marked."""
    if not authenticated:
        return []
    items = [
        ("Home", "main.index", "home"),
        ("Settings", "settings.index", "shield"),
    ]
    section = (endpoint or "").split(".")[0]
    return [
        NavItem(label, url_for(target), icon, current=target.split(".")[0] == section)
        for label, target, icon in items
    ]
