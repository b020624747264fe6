"""The account flows in real Chromium: sign up, verify, log in, remember me, log out, revoke."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import MEMBER
from tests.factories import PASSWORD, link_from
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import log_in
from tests.support.live_server import LiveSite

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0"
)


def test_sign_up_verify_and_log_in(page: Page, live_site: LiveSite) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("Willow.Browser")
    page.get_by_label("Email").fill("willow@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    mail = live_site.mailbox.wait_for_mail("willow@example.org")
    link = link_from(mail[-1], "/verify/")
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()

    page.get_by_label("Username or email").fill("willow@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_text("Confirm your email address to post")).to_have_count(0)


def test_sign_up_shows_every_fields_problem_at_once(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("Username").fill("ab")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    for label, message in (
        ("Username", "3 to 30 characters"),
        ("Email", "valid email address"),
        ("Password", "at least 12 characters"),
    ):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(message))
    assert_accessible_in_both_themes(page)


def auth_cookie(page: Page) -> dict[str, object]:
    return next(c for c in page.context.cookies() if c["name"] == "sapling_auth")  # type: ignore[return-value]


def test_remember_me_is_opt_in(browser: Browser, live_site: LiveSite) -> None:
    forgetful = browser.new_context(base_url=live_site.url).new_page()
    log_in(forgetful, MEMBER, PASSWORD)
    assert auth_cookie(forgetful)["expires"] == -1  # a browser-session cookie

    remembered = browser.new_context(base_url=live_site.url).new_page()
    log_in(remembered, MEMBER, PASSWORD, remember=True)
    expires = float(auth_cookie(remembered)["expires"])  # type: ignore[arg-type]
    assert expires > time.time() + 29 * 86400
    forgetful.context.close()
    remembered.context.close()


def test_log_out(page: Page) -> None:
    log_in(page, MEMBER, PASSWORD)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/settings/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_revoke_another_session_from_the_devices_page(
    browser: Browser, live_site: LiveSite
) -> None:
    laptop = browser.new_context(
        base_url=live_site.url,
        user_agent=FIREFOX_ON_WINDOWS,
    ).new_page()
    log_in(laptop, "sprout.live", PASSWORD)
    phone = browser.new_context(base_url=live_site.url).new_page()
    log_in(phone, "sprout.live", PASSWORD)

    phone.goto("/settings/devices")
    laptop_row = phone.get_by_role("listitem").filter(has_text="Firefox on Windows")
    laptop_row.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_text("That session was signed out.")).to_be_visible()
    expect(phone.get_by_text("Firefox on Windows")).to_have_count(0)

    laptop.goto("/settings/")
    expect(laptop.get_by_role("heading", name="Log in")).to_be_visible()
    phone.goto("/settings/")
    expect(phone.get_by_role("heading", name="Settings")).to_be_visible()
    laptop.context.close()
    phone.context.close()


def test_the_captcha_is_accessible_and_works_without_javascript(
    browser: Browser, live_site: LiveSite
) -> None:
    from app.services.security import login_guard
    from tests.support.axe import assert_accessible_in_both_themes

    with live_site.app.app_context():
        login_guard.set_under_attack(True)
    try:
        context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
        page = context.new_page()
        page.goto("/signup")
        expect(page.get_by_role("group", name="Show us you're a person")).to_be_visible()
        image = page.get_by_role("img", name=re.compile("Six digits"))
        expect(image).to_be_visible()
        assert page.evaluate("document.querySelector('.captcha img').naturalWidth") == 280
        context.close()
        with_js = browser.new_context(base_url=live_site.url).new_page()
        with_js.goto("/signup")
        assert_accessible_in_both_themes(with_js)
        with_js.context.close()
    finally:
        with live_site.app.app_context():
            login_guard.set_under_attack(False)
