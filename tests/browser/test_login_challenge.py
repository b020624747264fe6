"""The login challenge in real Chromium: the page's script solves the proof-of-work under the
strict CSP, and without JavaScript the CAPTCHA is still the way in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from app.config import Config
from app.services.security import expiring_store, login_guard
from tests.browser.pages import MEMBER
from tests.factories import PASSWORD
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import PageWatcher
from tests.support.live_server import LiveSite


@pytest.fixture
def under_attack(live_site: LiveSite) -> Iterator[None]:
    """Every unknown browser gets the challenge, at the cost a real site sets."""
    app = live_site.app
    defaults = Config({})
    names = ("POW_COST", "POW_MAX_NUMBER")
    saved = {name: app.config.get(name) for name in names}
    app.config.update({name: getattr(defaults, name, None) for name in names})
    with app.app_context():
        login_guard.set_under_attack(True)
    try:
        yield
    finally:
        with app.app_context():
            login_guard.set_under_attack(False)
        app.config.update(saved)


@pytest.mark.usefixtures("under_attack")
def test_the_browser_solves_the_proof_of_work_and_logs_in_under_the_csp(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(base_url=live_site.url)  # a browser the site doesn't know
    page = context.new_page()
    watcher = PageWatcher(page, live_site.url)
    page.goto("/login")
    expect(page.get_by_role("group", name="Show us you're a person")).to_be_visible()
    # The script took over: it says what it is doing, and the picture is out of the way.
    status = page.locator("#pow-status")
    expect(status).to_have_attribute("role", "status")  # read out by screen readers
    expect(page.get_by_role("img", name=re.compile("Six digits"))).to_be_hidden()
    expect(status).to_have_text("Done: your browser passed the check.")
    assert_accessible_in_both_themes(page)

    page.get_by_label("Username or email").fill(MEMBER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home")
    assert watcher.problems() == {}
    context.close()


@pytest.mark.usefixtures("under_attack")
def test_a_submit_before_the_check_is_done_waits_for_it(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    watcher = PageWatcher(page, live_site.url)
    page.goto("/login")
    page.get_by_label("Username or email").fill(MEMBER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()  # most likely long before it is solved
    page.wait_for_url("**/home")
    assert watcher.problems() == {}
    context.close()


@pytest.mark.usefixtures("under_attack")
def test_without_javascript_the_captcha_still_logs_in(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    expect(page.get_by_role("img", name=re.compile("Six digits"))).to_be_visible()
    captcha_id = page.locator("input[name=captcha_id]").get_attribute("value")
    assert captcha_id
    with live_site.app.app_context():
        answer = expiring_store.get(f"captcha:{captcha_id}")  # read perfectly, as a person would
    assert answer
    page.get_by_label("Username or email").fill(MEMBER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the 6 digits you see or hear").fill(answer)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home")
    context.close()
