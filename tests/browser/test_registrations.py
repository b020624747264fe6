"""The sign-up page in invite-only and closed mode, in real Chromium: what it says, that
an invite link opens the form once, and that a used one is turned away."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.extensions import db
from app.services.accounts import invites
from tests.browser.pages import registration_mode
from tests.factories import PASSWORD
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.live_server import LiveSite


def new_invite(live_site: LiveSite) -> str:
    with live_site.app.app_context():
        _, raw = invites.create(None, 1, 1)
        db.session.commit()
    return raw


def test_invite_mode_needs_a_link_and_each_link_works_once(page: Page, live_site: LiveSite) -> None:
    with registration_mode(live_site.app, "invite"):
        response = page.goto("/signup")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Sign-ups are by invitation")).to_be_visible()
        expect(page.get_by_role("button", name="Create account")).to_have_count(0)

        raw = new_invite(live_site)
        page.goto(f"/signup?invite={raw}")
        expect(page.get_by_text("You were invited: welcome.")).to_be_visible()
        page.get_by_label("Username").fill("invited.browser")
        page.get_by_label("Email").fill("invited@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

        again = page.goto(f"/signup?invite={raw}")
        assert again is not None and again.status == 410
        expect(page.get_by_role("alert")).to_contain_text("used as many times as it allows")
        expect(page.get_by_role("button", name="Create account")).to_have_count(0)
        assert_accessible_in_both_themes(page)


def test_a_closed_instance_says_so_and_shows_no_form(page: Page, live_site: LiveSite) -> None:
    with registration_mode(live_site.app, "closed"):
        response = page.goto("/signup")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Sign-ups are closed")).to_be_visible()
        expect(page.get_by_label("Username")).to_have_count(0)
        assert_accessible_in_both_themes(page)
