"""Two-step login in Chromium: TOTP enrolment with pyotp, passkeys on a virtual authenticator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import log_in
from tests.support.live_server import LiveSite


def fresh_member(live_site: LiveSite, name: str) -> str:
    create_user(live_site.app, name)
    return name


def test_totp_enrolment_and_login(page: Page, live_site: LiveSite) -> None:
    username = fresh_member(live_site, "totp.browser")
    log_in(page, username, PASSWORD)
    page.goto("/settings/two-factor/")
    page.get_by_role("link", name="Set up").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible_in_both_themes(page)

    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    assert_accessible_in_both_themes(page)
    codes = page.get_by_role("list", name="Recovery codes").bounding_box()
    download_button = page.get_by_role("button", name="Download as a text file")
    saved_link = page.get_by_role("link", name="I saved them")
    button_box, link_box = download_button.bounding_box(), saved_link.bounding_box()
    assert codes is not None and button_box is not None and link_box is not None
    # The buttons keep the page's rhythm (1rem) from the list, side by side in one row.
    assert button_box["y"] - (codes["y"] + codes["height"]) >= 16
    assert abs(button_box["y"] - link_box["y"]) < 1
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as a text file").click()
    assert "Sapling recovery codes" in Path(download.value.path()).read_text()

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step login")).to_be_visible()
    assert_accessible_in_both_themes(page)
    # The enrolment used this step's code, which can never be accepted again; the app's
    # next code is within the ±1 step window.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    page.get_by_label("6-digit code from your authenticator app").fill(next_code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def passkey_page(browser: Browser, live_site: LiveSite) -> Iterator[Page]:
    """A page on http://localhost:PORT with Chromium's virtual authenticator attached."""
    port = live_site.server.server.server_port
    context = browser.new_context(base_url=f"http://localhost:{port}")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page
    context.close()


def test_passkey_registration_and_passwordless_sign_in(
    passkey_page: Page, live_site: LiveSite
) -> None:
    page = passkey_page
    username = fresh_member(live_site, "passkey.browser")
    log_in(page, username, PASSWORD)
    page.goto("/settings/two-factor/")
    page.get_by_label("Name for a new passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey was added.")).to_be_visible()
    expect(page.get_by_role("heading", name="Work laptop")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/login")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/settings/security")
    expect(page.get_by_text("Passkey added")).to_be_visible()


def test_passkey_as_the_second_step(passkey_page: Page, live_site: LiveSite) -> None:
    page = passkey_page
    username = fresh_member(live_site, "second.step")
    log_in(page, username, PASSWORD)
    page.goto("/settings/two-factor/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey was added.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step login")).to_be_visible()
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
