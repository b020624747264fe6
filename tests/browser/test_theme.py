"""The theme switch (#17 item 8): System, Light or Dark, applied at once with JavaScript and by a
plain POST without it, remembered across reloads and pages, for visitors and members alike."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.browser.pages import MEMBER, VIEWPORTS, PageSpec
from tests.support.axe import describe, require_axe, violations
from tests.support.live_server import LiveServer

DARK_BG = "rgb(15, 20, 18)"  # --sap-stone-900
LIGHT_BG = "rgb(247, 248, 245)"  # --sap-stone-50


def saved(response: Response) -> bool:
    """The switch's POST (sent by js/theme.js with fetch when JavaScript runs)."""
    return response.request.method == "POST" and response.url.endswith("/appearance")


def background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def expect_theme(page: Page, theme: str) -> None:
    html = page.locator("html")
    if theme == "system":
        expect(html).not_to_have_class("theme-light")
        expect(html).not_to_have_class("theme-dark")
    else:
        expect(html).to_have_class(f"theme-{theme}")
    pressed = page.locator("[data-theme-switch] [aria-pressed=true]")
    if pressed.count():
        expect(pressed).to_have_text(theme.capitalize())


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_visitor_picks_dark_and_it_stays_across_reloads_and_pages(
    browser: Browser, live_server: LiveServer, viewport: str
) -> None:
    require_axe()
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS[viewport], color_scheme="light"
    )
    page = context.new_page()
    page.goto("/explore")
    expect_theme(page, "system")
    assert background(page) == LIGHT_BG
    page.get_by_role("contentinfo").get_by_role("link", name="Theme: System").click()
    # Loaded, so its deferred theme.js has run: a click before that is a plain form post.
    page.wait_for_url("**/appearance?next=/explore", wait_until="load")
    switch = page.get_by_role("group", name="Theme")
    with page.expect_response(saved) as answer:
        switch.get_by_role("button", name="Dark").click()
    expect_theme(page, "dark")  # at once: no page load
    assert page.url.endswith("/appearance?next=/explore")
    expect(page.get_by_role("contentinfo").get_by_role("link")).to_have_text("Theme: Dark")
    assert background(page) == DARK_BG
    # The cookie came with the same POST's answer: a first-party, Lax, long-lived preference.
    assert answer.value.status == 303
    (cookie,) = [c for c in context.cookies() if c["name"] == "sapling_theme"]
    assert cookie["value"] == "dark" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["expires"] > time.time() + 300 * 86400
    page.reload()
    expect_theme(page, "dark")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**/explore")
    expect(page.locator("html")).to_have_class("theme-dark")
    assert background(page) == DARK_BG
    found = violations(page)  # pinned dark while the system says light
    assert found == [], describe(found)
    page.goto("/tags/moss")
    expect(page.locator("html")).to_have_class("theme-dark")
    context.close()


def test_the_switch_works_without_javascript_and_system_forgets(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, color_scheme="dark"
    )
    page = context.new_page()
    page.goto("/tags/moss")
    assert background(page) == DARK_BG
    page.get_by_role("link", name="Theme: System").click()
    page.get_by_role("button", name="Light").click()
    page.wait_for_url("**/tags/moss")  # the POST's redirect: back where the link was
    expect(page.locator("html")).to_have_class("theme-light")
    assert background(page) == LIGHT_BG
    page.reload()
    assert background(page) == LIGHT_BG
    page.get_by_role("link", name="Theme: Light").click()
    page.get_by_role("button", name="System").click()
    page.wait_for_url("**/tags/moss")
    expect_theme(page, "system")
    assert background(page) == DARK_BG  # the system's again
    assert not [c for c in context.cookies() if c["name"] == "sapling_theme"]
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_member_picks_a_theme_in_settings(
    context_for: Callable[..., BrowserContext], viewport: str
) -> None:
    spec = PageSpec("settings", "/settings/", login=MEMBER)
    page = context_for(spec, viewport=VIEWPORTS[viewport], color_scheme="dark").new_page()
    page.goto("/settings/")
    switch = page.get_by_role("group", name="Theme")
    expect(switch.get_by_role("button", name="System")).to_have_attribute("aria-pressed", "true")
    with page.expect_response(saved):
        switch.get_by_role("button", name="Light").click()
    expect_theme(page, "light")
    assert page.url.endswith("/settings/")
    assert background(page) == LIGHT_BG
    page.goto("/home")
    expect(page.locator("html")).to_have_class("theme-light")
    page.goto("/settings/")
    expect(switch.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")
