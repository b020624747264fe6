"""Navigation view-models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str
    current: bool = False
    badge: int | None = None
