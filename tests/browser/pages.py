"""Every page of the app, in one list: the accessibility tests and `make screenshots` walk it.

Each issue that adds a page adds it here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Accounts that exist on the browser tests' live site (see tests/conftest.py).
MEMBER = "member.live"
UNVERIFIED = "sprout.live"


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    status: int = 200
    screenshot: bool = True
    login: str | None = None  # the username to log in as first


PAGES = [
    PageSpec("landing", "/"),
    PageSpec("gallery", "/_gallery/"),
    PageSpec("not-found", "/this-page-does-not-exist", status=404, screenshot=False),
    PageSpec("signup", "/signup"),
    PageSpec("login", "/login"),
    PageSpec("check-inbox", "/signup/check-inbox", screenshot=False),
    PageSpec("forgot-password", "/password/forgot", screenshot=False),
    PageSpec("link-invalid", "/verify/not-a-real-link", status=400, screenshot=False),
    PageSpec("home-member", "/", login=MEMBER, screenshot=False),
    PageSpec("home-unverified", "/", login=UNVERIFIED),
    PageSpec("settings", "/settings/", login=MEMBER),
    PageSpec("settings-password", "/settings/password", login=MEMBER, screenshot=False),
    PageSpec("settings-email", "/settings/email", login=MEMBER, screenshot=False),
    PageSpec("settings-username", "/settings/username", login=MEMBER, screenshot=False),
    PageSpec("devices", "/settings/devices", login=MEMBER),
    PageSpec("security-activity", "/settings/security", login=MEMBER),
    PageSpec("two-factor", "/settings/two-factor/", login=MEMBER),
    PageSpec("reauth", "/reauth?next=/settings/password", login=MEMBER, screenshot=False),
    # Pages only reachable mid-flow (the second login step, the TOTP set-up, the recovery
    # codes) are checked with axe inside tests/browser/test_two_factor.py.
]

THEMES = ("light", "dark")

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "mobile": {"width": 360, "height": 740},
}
