"""Layout promises that hold on every page: usable at 360 px, no layout shift, visible focus."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import NARROWEST, PAGES, PageSpec, page_state
from tests.support.live_server import LiveServer, LiveSite


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_fits_a_360px_screen_without_sideways_scrolling(
    context_for: Callable[..., BrowserContext], live_site: LiveSite, spec: PageSpec
) -> None:
    page = context_for(spec, viewport=NARROWEST).new_page()
    with page_state(live_site.app, spec):
        page.goto(spec.url(live_site.ids))
        spec.prepare(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{spec.path} is {overflow}px wider than the screen"


@pytest.mark.parametrize("spec", [s for s in PAGES if s.opens], ids=lambda spec: spec.name)
def test_an_open_dialog_holds_all_of_its_content_on_the_narrowest_phone(
    context_for: Callable[..., BrowserContext], live_site: LiveSite, spec: PageSpec
) -> None:
    page = context_for(spec, viewport=NARROWEST).new_page()
    page.goto(spec.url(live_site.ids))
    spec.prepare(page)
    outside = page.evaluate(
        """(() => {
            const dialog = document.querySelector("dialog[open]");
            const box = dialog.getBoundingClientRect();
            return [...dialog.querySelectorAll("button, a, input, p, h2")]
                .filter((el) => {
                    const r = el.getBoundingClientRect();
                    if (r.width === 0 && r.height === 0) return false;  // not drawn (hidden)
                    return r.left < box.left - 0.5 || r.right > box.right + 0.5;
                })
                .map((el) => el.outerHTML.slice(0, 80));
        })()"""
    )
    assert outside == []


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_image_reserves_its_space_and_has_alt_text(
    context_for: Callable[..., BrowserContext], live_site: LiveSite, spec: PageSpec
) -> None:
    page = context_for(spec).new_page()
    with page_state(live_site.app, spec):
        page.goto(spec.url(live_site.ids))
    missing = page.evaluate(
        """[...document.images]
            .filter((img) => !img.hasAttribute("width") || !img.hasAttribute("height")
                             || !img.hasAttribute("alt"))
            .map((img) => img.outerHTML)"""
    )
    assert missing == []


def test_keyboard_focus_is_always_visible(page: Page) -> None:
    page.goto("/_gallery/")
    for _ in range(6):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            """(() => {
                const style = getComputedStyle(document.activeElement);
                return [style.outlineStyle, parseFloat(style.outlineWidth)];
            })()"""
        )
        assert outline[0] != "none" and outline[1] >= 2, outline


def test_dialog_opens_as_a_modal_and_closes_with_escape(page: Page) -> None:
    page.goto("/_gallery/")
    page.get_by_role("link", name="Delete post…").first.click()
    dialog = page.get_by_role("dialog", name="Delete this post?")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.querySelector('dialog[open]').matches(':modal')")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_dialog_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/_gallery/")
    page.get_by_role("link", name="Delete post…").first.click()
    expect(page.locator("#confirm-light")).to_be_visible()
    page.get_by_role("link", name="Cancel").first.click()
    expect(page.locator("#confirm-light")).to_be_hidden()
    context.close()


def test_icons_are_drawn_from_the_sprite(
    context_for: Callable[..., BrowserContext], live_site: LiveSite
) -> None:
    spec = next(spec for spec in PAGES if spec.name == "home-member")  # redirects to /home
    page = context_for(spec).new_page()
    page.goto(spec.url(live_site.ids))
    page.wait_for_load_state("load")
    sizes = page.evaluate(
        """[...document.querySelectorAll("svg use")].map((use) => {
            const box = use.getBBox();
            return [use.getAttribute("href"), box.width, box.height];
        })"""
    )
    assert sizes, "the page shows icons"
    assert all(width > 0 and height > 0 for _href, width, height in sizes), sizes
