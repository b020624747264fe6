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


# Pages about one account (``/@name`` and its lists): the Profile tab is current on one's own.
PROFILE_PAGES = frozenset({"profiles.show", "profiles.followers", "profiles.following"})


def primary_nav(
    username: str | None, endpoint: str | None, unread: int = 0, viewing: str | None = None
) -> list[NavItem]:
    """The main navigation for a signed-in person (none for visitors), current page marked.

    ``viewing`` is the account a profile page is about (its canonical username), so someone
    else's profile marks no tab: it is not "your Profile".
    """
    if username is None:
        return []
    return [
        NavItem("Home", url_for("feed.home"), "home", current=endpoint == "feed.home"),
        NavItem(
            "Explore",
            url_for("discover.explore"),
            "explore",
            current=(endpoint or "").startswith("discover."),
        ),
        NavItem("New post", url_for("posts.new"), "add", current=endpoint == "posts.new"),
        NavItem(
            "Activity",
            url_for("notifications.index"),
            "bell",
            current=(endpoint or "").startswith("notifications."),
            badge=unread or None,
        ),
        NavItem(
            "Profile",
            url_for("profiles.show", username=username),
            "user",
            current=endpoint in PROFILE_PAGES and viewing == username,
        ),
        NavItem(
            "Settings",
            url_for("settings.index"),
            "shield",
            current=(endpoint or "").startswith(("settings.", "two_factor.", "profiles.edit")),
        ),
    ]
