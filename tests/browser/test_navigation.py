"""The header and the tabs at the reviews' sizes (#17 items 7b, 8): where Log out sits, whole
labels, the badge on its icon, the Profile tab only on your own profile, a quiet Block."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import FRIEND, MEMBER, NARROWEST, VIEWPORTS, PageSpec
from tests.factories import PASSWORD, create_user, follow
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import log_in
from tests.support.live_server import LiveServer, LiveSite

_numbers = count(1)

# Each tab's own page, where that tab is the current one.
TAB_PAGES = {
    "Home": "/home",
    "Explore": "/explore",
    "New post": "/p/new",
    "Activity": "/notifications/",
    "Profile": f"/@{MEMBER}",
    "Settings": "/settings/",
}

BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def _member_page(context_for: Callable[..., BrowserContext], viewport: str) -> Page:
    spec = PageSpec("member", "/", login=MEMBER)
    return context_for(spec, viewport=VIEWPORTS[viewport]).new_page()


def _box(page: Page, selector: str) -> list[float]:
    return list(page.locator(selector).first.evaluate(BOX))


def _fresh_member(live_site: LiveSite, prefix: str) -> str:
    username = f"{prefix}{next(_numbers)}.nav"
    create_user(live_site.app, username)
    return username


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_log_out_sits_at_the_right_of_the_header(
    context_for: Callable[..., BrowserContext], viewport: str
) -> None:
    page = _member_page(context_for, viewport)
    page.goto("/home")
    log_out = page.locator(".site-header").get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    inner = _box(page, ".site-header__inner")
    button = list(log_out.evaluate(BOX))
    brand = _box(page, ".site-header .brand")
    padding = float(
        page.locator(".site-header__inner").evaluate(
            "(el) => parseFloat(getComputedStyle(el).paddingRight)"
        )
    )
    assert abs(inner[2] - padding - button[2]) <= 1, (inner, button)  # flush right
    assert button[0] > brand[2] + 50, "Log out is not huddled next to the brand"


@pytest.mark.parametrize("tab", TAB_PAGES)
@pytest.mark.parametrize("viewport", [*VIEWPORTS, "narrowest"])
def test_every_tab_label_is_whole_and_visible_including_the_current_one(
    context_for: Callable[..., BrowserContext], viewport: str, tab: str
) -> None:
    size = NARROWEST if viewport == "narrowest" else VIEWPORTS[viewport]
    page = context_for(PageSpec("member", "/", login=MEMBER), viewport=size).new_page()
    page.goto(TAB_PAGES[tab])
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=tab, exact=False)).to_have_attribute("aria-current", "page")
    labels = nav.locator(".nav__label")
    expect(labels).to_have_count(len(TAB_PAGES))
    measured = labels.evaluate_all(
        """(labels) => labels.map((label) => {
            const box = label.getBoundingClientRect();
            return [label.textContent, label.scrollWidth, label.clientWidth, box.width, box.height,
                    label.checkVisibility({opacityProperty: true, visibilityProperty: true})];
        })"""
    )
    for text, scroll_width, client_width, width, height, visible in measured:
        assert visible and width > 10 and height > 8, f"{text!r} is not shown on {viewport}"
        assert scroll_width <= client_width, f"{text!r} is cut ({scroll_width} > {client_width})"


@pytest.fixture(scope="module")
def unread_member(live_site: LiveSite) -> str:
    """An account with unread activity: two new followers."""
    username = _fresh_member(live_site, "badge")
    with live_site.app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import User

        me = db.session.scalar(select(User).where(User.username == username))
        fans = [db.session.scalar(select(User).where(User.username == FRIEND))]
    assert me is not None
    fans.append(create_user(live_site.app, f"fan{next(_numbers)}.nav"))
    for fan in fans:
        assert fan is not None
        follow(live_site.app, fan, me)
    return username


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_unread_badge_sits_on_its_icon(
    browser: Browser, live_server: LiveServer, unread_member: str, viewport: str
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    log_in(page, unread_member, PASSWORD)
    activity = page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")
    expect(activity).to_contain_text("2")
    badge = list(activity.locator(".nav__badge").evaluate(BOX))
    glyph = list(activity.locator(".nav__icon").evaluate(BOX))
    label = list(activity.locator(".nav__label").evaluate(BOX))
    overlaps = (
        badge[0] < glyph[2] and badge[2] > glyph[0] and badge[1] < glyph[3] and badge[3] > glyph[1]
    )
    assert overlaps, f"the badge {badge} is not on the icon {glyph}"
    assert badge[3] <= label[1] + 1, "the badge reaches down over the label"
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_profile_tab_is_current_only_on_your_own_profile(
    context_for: Callable[..., BrowserContext], viewport: str
) -> None:
    page = _member_page(context_for, viewport)
    nav = page.get_by_role("navigation", name="Main")
    page.goto(f"/@{FRIEND}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(FRIEND)
    expect(nav.locator("[aria-current]")).to_have_count(0)
    page.goto(f"/@{MEMBER}")
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_accessible_name("Profile")


def _is_filled_like_danger(page: Page, locator: Any) -> dict[str, Any]:
    danger = page.evaluate(
        """(() => {
            const probe = document.createElement("span");
            probe.style.color = "var(--color-danger)";
            document.body.append(probe);
            const colour = getComputedStyle(probe).color;
            probe.remove();
            return colour;
        })()"""
    )
    style = locator.evaluate(
        """(el) => { const s = getComputedStyle(el);
            return {background: s.backgroundColor, color: s.color, weight: s.fontWeight}; }"""
    )
    return {"danger": danger, **style}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_block_is_a_quiet_action_that_asks_first(
    browser: Browser, live_server: LiveServer, live_site: LiveSite, viewport: str
) -> None:
    target = _fresh_member(live_site, "quiet")
    blocker = _fresh_member(live_site, "blocker")
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    log_in(page, blocker, PASSWORD)
    page.goto(f"/@{target}")
    follow_button = page.get_by_role("button", name="Follow", exact=True)
    block = page.get_by_role("link", name="Block…")
    expect(follow_button).to_be_visible()
    expect(block).to_be_visible()
    style = _is_filled_like_danger(page, block)
    assert style["background"] in ("rgba(0, 0, 0, 0)", "transparent"), style
    assert style["color"] != style["danger"], style
    follow_style = follow_button.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert follow_style != style["background"], "Follow stays the loud one"

    block.click()
    dialog = page.get_by_role("dialog", name=f"Block @{target}?")
    expect(dialog).to_be_visible()
    assert_accessible_in_both_themes(page)
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    block.click()
    dialog.get_by_role("button", name="Block", exact=True).click()
    page.wait_for_url("**/blocked")
    expect(page.get_by_text(f"You blocked @{target}.")).to_be_visible()
    page.get_by_role("button", name="Unblock").first.click()
    expect(page.get_by_text(f"You unblocked @{target}.")).to_be_visible()
    context.close()


def test_block_asks_first_without_javascript(
    browser: Browser, live_server: LiveServer, live_site: LiveSite
) -> None:
    target = _fresh_member(live_site, "quiet")
    blocker = _fresh_member(live_site, "blocker")
    signed_in = browser.new_context(base_url=live_server.url)
    log_in(signed_in.new_page(), blocker, PASSWORD)
    state = signed_in.storage_state()
    signed_in.close()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, storage_state=state
    )
    page = context.new_page()
    page.goto(f"/@{target}")
    dialog = page.locator(".dialog").filter(has_text=f"Block @{target}?")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Block…").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Block", exact=True).click()
    page.wait_for_url("**/blocked")
    expect(page.get_by_text(f"You blocked @{target}.")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [768, 1024])
def test_the_header_keeps_one_line_from_the_narrowest_wide_screen(
    context_for: Callable[..., BrowserContext], width: int
) -> None:
    """From 48rem the tabs move into the header, labels and all, next to the brand and Log out."""
    spec = PageSpec("member", "/", login=MEMBER)
    page = context_for(spec, viewport={"width": width, "height": 800}).new_page()
    page.goto("/notifications/")
    header = _box(page, ".site-header")
    assert header[3] - header[1] <= 58, f"the header wraps at {width}px: {header}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    cut = page.locator(".nav--primary .nav__label").evaluate_all(
        "(labels) => labels.filter((l) => l.scrollWidth > l.clientWidth).map((l) => l.textContent)"
    )
    assert cut == []
