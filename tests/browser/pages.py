"""Every page of the app, in one list: the accessibility tests and `make screenshots` walk it.

Each issue that adds a page adds it here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

# Accounts that exist on the browser tests' live site (see tests/conftest.py) and in
# `make screenshots`; tests/support/demo.py adds Fern (public) and Hazel (private).
MEMBER = "member.live"
UNVERIFIED = "sprout.live"
FRIEND = "fern.live"
PRIVATE = "hazel.live"
MODERATOR = "moderator.live"  # an admin; tests/support/moderation.py adds a few reports


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    status: int = 200
    screenshot: bool = True
    login: str | None = None  # the username to log in as first
    under_attack: bool = False  # shown with under-attack mode on: the challenge on the form
    photos: int = 0  # generated photos chosen in the page's file input once it has loaded
    opens: str | None = None  # the name of a link or button clicked to open a dialog
    # The login form sent while every password-hashing slot is taken: the 503 page
    # (wrap the visit in ``sign_in_busy``).
    sign_in_busy: bool = False
    # The registration mode while the page is shown (None: open), and member invites on.
    registrations: str | None = None
    member_invites: bool = False

    def url(self, ids: dict[str, int]) -> str:
        """The path, with ``{post}``-style placeholders filled from tests/support/demo.py."""
        return self.path.format(**ids)

    def prepare(self, page: Page) -> None:
        """Bring the opened page to the state the spec names: photos chosen in the new post's
        form (their preview), then a dialog opened by its link or button."""
        if self.photos:
            self._choose_photos(page)
        if self.sign_in_busy:
            from tests.factories import PASSWORD

            page.get_by_label("Username or email").fill(MEMBER)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Busy for a moment")).to_be_visible()
        if self.opens:
            main = page.get_by_role("main")
            main.get_by_role("link", name=self.opens, exact=True).or_(
                main.get_by_role("button", name=self.opens, exact=True)
            ).click()
            expect(page.locator("dialog[open]")).to_be_visible()

    def _choose_photos(self, page: Page) -> None:
        from tests.support.demo import photo

        shapes = [(1200, 900), (900, 1125), (1080, 1080)]
        files: list[FilePayload] = [
            {
                "name": f"photo-{n + 1}.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo(80 + n, shapes[n % len(shapes)]),
            }
            for n in range(self.photos)
        ]
        page.get_by_label("Photos").set_input_files(files)
        expect(page.locator("[data-photo-choice]")).to_have_count(self.photos)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-photo-thumb]')]"
            ".every((img) => img.complete && img.naturalWidth > 0)"
        )


PAGES = [
    PageSpec("landing", "/"),
    PageSpec("gallery", "/_gallery/"),
    PageSpec("not-found", "/this-page-does-not-exist", status=404, screenshot=False),
    PageSpec("signup", "/signup"),
    PageSpec("login", "/login"),
    PageSpec("login-challenge", "/login", under_attack=True),
    PageSpec("sign-in-busy", "/login", sign_in_busy=True),
    PageSpec("signup-challenge", "/signup", under_attack=True, screenshot=False),
    PageSpec("check-inbox", "/signup/check-inbox", screenshot=False),
    PageSpec("check-inbox-review", "/signup/check-inbox?review=1", screenshot=False),
    # Who may join (docs/operations.md): the sign-up page in each mode, and a forged invite.
    PageSpec("signup-approval", "/signup", registrations="approval"),
    PageSpec("signup-by-invitation", "/signup", status=403, registrations="invite"),
    PageSpec("signup-closed", "/signup", status=403, registrations="closed"),
    PageSpec(
        "signup-invite-unknown",
        "/signup?invite=not-a-real-invite",
        status=404,
        registrations="invite",
        screenshot=False,
    ),
    PageSpec("forgot-password", "/password/forgot", screenshot=False),
    PageSpec("link-invalid", "/verify/not-a-real-link", status=400, screenshot=False),
    PageSpec("home-member", "/", login=MEMBER),
    PageSpec("home-unverified", "/", login=UNVERIFIED),
    PageSpec("settings", "/settings/", login=MEMBER),
    # The theme switch for everyone (the footer's "Theme" link); members also have it in Settings.
    PageSpec("appearance", "/appearance?next=/explore"),
    PageSpec("preferences", "/settings/preferences", login=MEMBER),
    PageSpec("settings-password", "/settings/password", login=MEMBER, screenshot=False),
    PageSpec("settings-email", "/settings/email", login=MEMBER, screenshot=False),
    PageSpec("settings-username", "/settings/username", login=MEMBER, screenshot=False),
    PageSpec("devices", "/settings/devices", login=MEMBER),  # with an app let in (Fernbook)
    # An app asks to sign in (PKCE): the consent page. A login older than five minutes
    # shows /reauth first, as for the other sensitive pages.
    PageSpec(
        "oauth-consent",
        "/oauth/authorize?response_type=code&client_id={oauth_client}"
        "&redirect_uri=https%3A%2F%2Ffernbook.example%2Fcallback&scope=read+write+follow"
        "&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        "&code_challenge_method=S256",
        login=MEMBER,
    ),
    PageSpec("security-activity", "/settings/security", login=MEMBER),
    PageSpec("export", "/settings/export", login=MEMBER),
    # Bring your photos: the form; an import under way; a finished one with its report
    # (tests/support/moderation.add_import_states).
    PageSpec("import", "/settings/import", login=MEMBER),
    PageSpec("import-running", "/settings/import", login=PRIVATE),
    PageSpec("import-report", "/settings/import", login=MODERATOR),
    PageSpec("two-factor", "/settings/two-factor/", login=MEMBER),
    PageSpec("reauth", "/reauth?next=/settings/password", login=MEMBER, screenshot=False),
    PageSpec("explore", "/explore"),
    PageSpec("explore-member", "/explore", login=MEMBER, screenshot=False),
    PageSpec("hashtag", "/tags/moss"),
    PageSpec("search", f"/search?q={FRIEND[:3]}", screenshot=False),
    PageSpec("search-nothing", "/search?q=zzzz", screenshot=False),
    # People (moderator.live) and tags (#morning, #moss) both start with "mo".
    PageSpec("search-tags", "/search?q=mo"),
    PageSpec("profile", f"/@{FRIEND}"),
    PageSpec("profile-member-view", f"/@{FRIEND}", login=MEMBER),  # Follow, and a quiet Block…
    PageSpec("profile-block-dialog", f"/@{FRIEND}", login=MEMBER, opens="Block…"),
    PageSpec("profile-own", f"/@{MEMBER}", login=MEMBER, screenshot=False),
    PageSpec("profile-private", f"/@{PRIVATE}", login=MEMBER),
    PageSpec("followers", f"/@{FRIEND}/followers", screenshot=False),
    PageSpec("following", f"/@{MEMBER}/following", login=MEMBER, screenshot=False),
    PageSpec("post", "/p/{post}"),
    PageSpec("post-member-view", "/p/{own_post}", login=MEMBER, screenshot=False),
    # Who liked the member's post (Fern), from its like count.
    PageSpec("post-likes", "/p/{own_post}/likes", login=MEMBER),
    PageSpec("post-likes-none", "/p/{post}/likes", screenshot=False),
    # Four photos of three shapes; then the same post opened at its second photo.
    PageSpec("post-carousel", "/p/{carousel_post}"),
    PageSpec("post-carousel-second", "/p/{carousel_post}#post-{carousel_post}-photos-2"),
    # Marked sensitive: covered behind "Show"; then shown, as the link does without JavaScript
    # (shown with JavaScript, it is checked in tests/browser/test_sensitive_media.py).
    PageSpec("post-sensitive", "/p/{sensitive_post}"),
    PageSpec("post-sensitive-shown", "/p/{sensitive_post}?show=sensitive"),
    PageSpec("post-not-visible", "/p/{post}0", status=404, screenshot=False),
    # A video: its poster, the player's controls and its length (the file is not fetched).
    PageSpec("post-video", "/p/{video_post}"),
    # A post waiting for its video (js/pending.js asks for its status), and one refused.
    PageSpec("post-pending", "/p/pending/{pending_post}", login=MEMBER),
    PageSpec("post-pending-failed", "/p/pending/{failed_post}", login=MEMBER),
    PageSpec("new-post", "/p/new", login=MEMBER),
    # Three photos chosen: their thumbnails, each with its description (js/photo-picker.js).
    PageSpec("new-post-preview", "/p/new", login=MEMBER, photos=3),
    # Share pressed with photos left undescribed: the reminder asks first (js/compose.js).
    PageSpec("new-post-reminder", "/p/new", login=MEMBER, photos=2, opens="Share"),
    PageSpec("edit-post", "/p/{own_post}/edit", login=MEMBER, screenshot=False),
    PageSpec("report-post", "/p/{post}/report", login=MEMBER, screenshot=False),
    PageSpec("report-account", f"/@{FRIEND}/report", login=MEMBER, screenshot=False),
    PageSpec("edit-profile", "/profile/edit", login=MEMBER),
    PageSpec("privacy", "/profile/privacy", login=MEMBER, screenshot=False),
    PageSpec("notifications", "/notifications/", login=MEMBER),
    PageSpec("follow-requests", "/follow-requests", login=MEMBER, screenshot=False),
    PageSpec("blocked", "/blocked", login=MEMBER, screenshot=False),
    PageSpec("saved", "/saved", login=MEMBER, screenshot=False),
    # Behind re-authentication: when the login is older than five minutes this shows /reauth.
    PageSpec("delete-account", "/settings/delete", login=MEMBER, screenshot=False),
    PageSpec("admin-overview", "/admin/", login=MODERATOR),
    PageSpec("admin-reports", "/admin/reports", login=MODERATOR),
    PageSpec("admin-report", "/admin/reports/{report}", login=MODERATOR),
    PageSpec("admin-user", f"/admin/users/{FRIEND}", login=MODERATOR),
    PageSpec("admin-hidden", "/admin/reports", status=404, login=MEMBER, screenshot=False),
    PageSpec("admin-signups", "/admin/signups", login=MODERATOR, registrations="approval"),
    PageSpec("admin-invites", "/admin/invites", login=MODERATOR, registrations="invite"),
    PageSpec(
        "settings-invites",
        "/settings/invites",
        login=MEMBER,
        registrations="invite",
        member_invites=True,
    ),
    PageSpec("settings-invites-refused", "/settings/invites", login=MEMBER, screenshot=False),
    # Pages only reachable mid-flow (the second login step, the TOTP set-up, the recovery
    # codes) are checked with axe inside tests/browser/test_two_step.py.
]

THEMES = ("light", "dark")

# The sizes the reviews use (a laptop and a current phone); every page is axe-checked and
# screenshotted at both. test_layout also holds every page to the narrowest common phone.
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "mobile": {"width": 390, "height": 844},
}
NARROWEST = {"width": 360, "height": 740}


@contextmanager
def under_attack(app: Flask, on: bool) -> Iterator[None]:
    """Under-attack mode for the length of one page, when its spec asks for it."""
    if not on:
        yield
        return
    from app.services.security import login_guard

    with app.app_context():
        login_guard.set_under_attack(True)
    try:
        yield
    finally:
        with app.app_context():
            login_guard.set_under_attack(False)


@contextmanager
def sign_in_busy(app: Flask, on: bool) -> Iterator[None]:
    """Every password-hashing slot of the live site's process taken, as a login storm
    leaves them, for the length of one page, when its spec asks for it."""
    if not on:
        yield
        return
    from app.services.accounts import hashing

    with app.app_context(), ExitStack() as slots:
        for _ in range(app.config["PASSWORD_HASHING_SLOTS"]):
            slots.enter_context(hashing.slot())
        yield


@contextmanager
def page_state(app: Flask, spec: PageSpec) -> Iterator[None]:
    """The site as the spec shows it: under attack, a registration mode, member invites,
    every password-hashing slot taken."""
    with (
        under_attack(app, spec.under_attack),
        registration_mode(app, spec.registrations, member_invites=spec.member_invites),
        sign_in_busy(app, spec.sign_in_busy),
    ):
        yield


@contextmanager
def registration_mode(
    app: Flask, mode: str | None, *, member_invites: bool = False
) -> Iterator[None]:
    """A registration mode (and member invites) for the length of one page; then open, off."""
    if mode is None and not member_invites:
        yield
        return
    from app.extensions import db
    from app.models import RegistrationMode
    from app.services.accounts import registrations

    def put(chosen: str, members: bool) -> None:
        with app.app_context():
            registrations.set_mode(RegistrationMode(chosen))
            registrations.set_member_invites(members)
            db.session.commit()

    put(mode or "open", member_invites)
    try:
        yield
    finally:
        put("open", False)
