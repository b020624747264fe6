"""Photo sharing in real Chromium: posting with the progress bar, following a private
account through approval, liking without a reload, and commenting."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import MEMBER, PRIVATE
from tests.factories import PASSWORD, create_user
from tests.support.browser import PageWatcher, log_in
from tests.support.demo import photo
from tests.support.live_server import LiveSite


def test_posting_shows_upload_progress_then_the_post(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    page = browser.new_context(base_url=live_site.url).new_page()
    watcher = PageWatcher(page, live_site.url)
    log_in(page, MEMBER, PASSWORD)
    first, second = tmp_path / "ridge.jpg", tmp_path / "valley.jpg"
    first.write_bytes(photo(21, (3000, 2000)))
    second.write_bytes(photo(22))

    page.goto("/p/new")
    # A slow uplink (about three seconds for these photos), so the bar has something to show.
    size = first.stat().st_size + second.stat().st_size
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": size / 3},
    )
    page.get_by_label("Photos").set_input_files([str(first), str(second)])
    expect(page.get_by_label("Photo 1", exact=True)).to_be_visible()
    expect(page.get_by_label("Photo 3", exact=True)).to_be_hidden()  # one field per photo
    page.get_by_label("Photo 1", exact=True).fill("A ridge at dawn")
    page.get_by_label("Photo 2", exact=True).fill("A valley in fog")
    page.get_by_label("Caption").fill("Two views from the walk #browsertest")
    page.get_by_role("button", name="Share").click()

    expect(page.locator("#upload-progress")).to_be_visible()
    page.wait_for_function(
        "() => { const bar = document.getElementById('upload-progress-bar');"
        " return bar.value > 0 && bar.value < 100; }"
    )
    expect(page.get_by_text(re.compile(r"^\d+% sent$"))).to_be_visible()

    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_text("Your post is up.")).to_be_visible()
    expect(page.get_by_role("img", name="A ridge at dawn")).to_be_visible()
    expect(page.get_by_role("img", name="A valley in fog")).to_be_attached()
    expect(page.get_by_role("link", name="#browsertest")).to_be_visible()
    assert watcher.problems() == {}


def test_the_plain_form_works_without_javascript(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, MEMBER, PASSWORD)
    picture = tmp_path / "plain.jpg"
    picture.write_bytes(photo(5))
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(str(picture))
    page.get_by_label("Caption").fill("No script needed")
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_text("No script needed")).to_be_visible()
    context.close()


def test_a_refused_upload_shows_the_reason_in_place(
    page: Page, live_site: LiveSite, tmp_path: Path
) -> None:
    log_in(page, MEMBER, PASSWORD)
    fake = tmp_path / "holiday.jpg"
    fake.write_text("<html><script>alert(1)</script></html>")
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(str(fake))
    page.get_by_label("Photo 1", exact=True).fill("A holiday")  # no reminder to describe it
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("alert")).to_contain_text("Please fix the problem below.")
    # The reason, beside the photo (tests/browser/test_posting_preview.py has more).
    expect(page.locator("[data-photo-choice]")).to_contain_text("not a photo Sapling can read")
    assert page.url.endswith("/p/new")


def test_following_a_private_account_through_approval(
    browser: Browser, live_site: LiveSite
) -> None:
    create_user(live_site.app, "rowan.live")
    follower = browser.new_context(base_url=live_site.url).new_page()
    log_in(follower, "rowan.live", PASSWORD)
    follower.goto(f"/@{PRIVATE}")
    expect(follower.get_by_role("heading", name="This account is private")).to_be_visible()
    follower.get_by_role("button", name="Follow").click()
    expect(follower.get_by_text("Request sent.")).to_be_visible()
    expect(follower.get_by_role("button", name="Requested · Cancel")).to_be_visible()

    owner = browser.new_context(base_url=live_site.url).new_page()
    log_in(owner, PRIVATE, PASSWORD)
    owner.goto("/notifications/")
    expect(owner.get_by_text("asked to follow you.")).to_be_visible()
    owner.goto("/follow-requests")
    owner.get_by_role("button", name="Approve").click()
    expect(owner.get_by_text("@rowan.live follows you now.")).to_be_visible()

    follower.goto(f"/@{PRIVATE}")
    expect(follower.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(follower.get_by_role("list", name=f"Posts by @{PRIVATE}")).to_be_visible()
    follower.get_by_role("list", name=f"Posts by @{PRIVATE}").get_by_role("link").first.click()
    expect(follower.get_by_text("Quiet corner")).to_be_visible()


def test_liking_updates_in_place_without_a_reload(page: Page, live_site: LiveSite) -> None:
    create_user(live_site.app, "ivy.live")
    log_in(page, "ivy.live", PASSWORD)
    page.goto(f"/p/{live_site.ids['post']}")
    page.evaluate("window.notReloaded = true")
    like = page.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    before = int(page.locator(".post-card__counts strong").inner_text())
    like.click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".post-card__counts strong")).to_have_text(str(before + 1))
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_role("button", name="Like")).to_be_focused()
    page.get_by_role("button", name="Like").click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".post-card__counts strong")).to_have_text(str(before))
    page.reload()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "false")


def test_like_and_save_work_without_javascript_and_come_back_to_the_page(
    browser: Browser, live_site: LiveSite
) -> None:
    """Every card's buttons submit the page's one toggle form (#post-toggles), each with its
    own address: no script is needed, and the reader lands on the page they were on."""
    create_user(live_site.app, "juniper.toggles")
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "juniper.toggles", PASSWORD)
    post = live_site.ids["post"]
    page.goto(f"/p/{post}?from=test")
    like = page.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    page.wait_for_url(re.compile(rf"/p/{post}\?from=test$"))
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/p/{post}\?from=test$"))
    expect(page.get_by_role("button", name="Save")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Like").click()  # and undone, for the other tests
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "false")
    context.close()


def test_a_like_the_script_cannot_send_is_sent_by_the_form(page: Page, live_site: LiveSite) -> None:
    """When the background request fails, the button's own submission takes over."""
    create_user(live_site.app, "hazel.fallback")
    log_in(page, "hazel.fallback", PASSWORD)
    post = live_site.ids["post"]
    page.goto(f"/p/{post}")
    page.evaluate("window.notReloaded = true")
    # Only the script's request fails (it says X-Sapling-Fragment); the form's goes through.
    page.route(
        f"**/p/{post}/like",
        lambda route: (
            route.abort() if route.request.headers.get("x-sapling-fragment") else route.continue_()
        ),
    )
    page.get_by_role("button", name="Like").click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded === undefined")  # the page was sent, and reloaded
    page.unroute(f"**/p/{post}/like")
    page.get_by_role("button", name="Like").click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "false")


def test_commenting(page: Page, live_site: LiveSite) -> None:
    log_in(page, MEMBER, PASSWORD)
    page.goto(f"/p/{live_site.ids['post']}")
    page.get_by_role("textbox", name="Add a comment").fill("What a view, @fern.live! <b>bold?</b>")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment").filter(has_text="What a view")
    expect(comment).to_be_visible()
    expect(comment).to_contain_text("<b>bold?</b>")  # shown as text, never as markup
    expect(comment.get_by_role("link", name="@fern.live")).to_be_visible()
    comment.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("The comment was deleted.")).to_be_visible()
