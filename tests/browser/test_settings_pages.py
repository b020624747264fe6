"""Settings pages in Chromium: where their buttons sit, and what the security timeline says."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, create_user
from tests.support.browser import log_in
from tests.support.live_server import LiveServer, LiveSite

# Each settings form, and the name of its submit button.
SETTINGS_FORMS = [
    ("/settings/password", "Change password"),
    ("/settings/email", "Send confirmation link"),
    ("/settings/username", "Change username"),
    ("/settings/delete", "Delete my account"),
    ("/settings/two-factor/totp", "Turn on"),
    ("/profile/edit", "Save profile"),
    ("/profile/privacy", "Save"),
]
# The box of a form's submit button, measured against the box of its form.
BUTTON_IN_FORM = """(button) => {
    const form = button.form.getBoundingClientRect();
    const box = button.getBoundingClientRect();
    const style = getComputedStyle(button);
    const natural = button.querySelector(".btn__label").getBoundingClientRect().width
        + ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"]
            .reduce((sum, side) => sum + parseFloat(style[side]), 0);
    return {left: box.left - form.left, width: box.width, natural: natural};
}"""


@pytest.fixture
def member_page(page: Page, live_site: LiveSite) -> Page:
    """A member who has just logged in (so the pages behind a fresh login open too)."""
    name = f"settings.{uuid.uuid4().hex[:10]}"
    create_user(live_site.app, name)
    log_in(page, name, PASSWORD)
    return page


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "mobile"])
def test_every_settings_forms_buttons_sit_in_the_same_place(
    member_page: Page, viewport: tuple[int, int]
) -> None:
    """At the form's start edge and as wide as their label, never stretched across it."""
    page = member_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    places = {}
    for path, name in SETTINGS_FORMS:
        page.goto(path)
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        places[path] = button.evaluate(BUTTON_IN_FORM)
    for path, place in places.items():
        assert abs(place["left"]) < 1, (path, place)
        assert abs(place["width"] - place["natural"]) < 2, (path, place)  # not stretched


def test_the_security_timeline_names_the_device_once(
    page: Page, browser: Browser, live_server: LiveServer, live_site: LiveSite
) -> None:
    """A login from a second browser and a logout: events whose detail is the device."""
    name = f"timeline.{uuid.uuid4().hex[:10]}"
    create_user(live_site.app, name)
    first = browser.new_context(base_url=live_server.url)
    first_page = first.new_page()
    log_in(first_page, name, PASSWORD)
    first_page.get_by_role("button", name="Log out").click()
    expect(first_page.get_by_text("You are logged out.")).to_be_visible()
    first.close()
    log_in(page, name, PASSWORD)
    page.goto("/settings/devices")
    this_device = page.get_by_role("heading").filter(has_text="This device")
    device = this_device.inner_text().replace("This device", "").strip()  # "… on Linux"
    assert device
    page.goto("/settings/security")
    events = page.get_by_role("list", name="Security events").get_by_role("listitem")
    expect(events.filter(has_text="Logged in from a new device")).to_have_count(1)
    expect(events.filter(has_text="Logged out")).to_have_count(1)
    for meta in events.locator(".list__meta").all_inner_texts():
        parts = meta.split(" · ")
        assert len(parts) == len(set(parts)), meta
        assert sum(device in part for part in parts) == 1, meta
