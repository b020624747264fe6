"""Sensitive posts and the alt-text reminder in real Chromium: covered until "Show" (with
and without JavaScript, no photo fetched before), the "always show" preference, and the
reminder asked before sharing, suppressed by its preference, or given after posting."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request, expect

from tests.browser.pages import FRIEND, VIEWPORTS
from tests.factories import PASSWORD, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import PageWatcher, log_in
from tests.support.demo import photo
from tests.support.live_server import LiveSite

SPIDER = "A spider in its web"  # the sensitive demo post's description (tests/support/demo.py)


def card(page: Page, post_id: int) -> Locator:
    return page.locator(f"article[aria-labelledby='post-{post_id}-author']")


def open_sensitive_post(context: BrowserContext, live_site: LiveSite) -> tuple[Page, list[str]]:
    """The sensitive demo post's page, and the list of every URL it has asked for so far."""
    page = context.new_page()
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    page.goto(f"/p/{live_site.ids['sensitive_post']}")
    page.wait_for_load_state("load")
    return page, requested


def photo_urls(page: Page, live_site: LiveSite) -> set[str]:
    """The photos waiting behind the cover (in its <template>)."""
    sources = page.evaluate(
        "() => [...document.querySelectorAll('template[data-sensitive-photos]')]"
        ".flatMap(t => [...t.content.querySelectorAll('img')].map(i => i.getAttribute('src')))"
    )
    return {urljoin(live_site.url, src) for src in sources}


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_covered_until_show_then_shown_in_place(
    browser: Browser, live_site: LiveSite, script: bool, viewport: str
) -> None:
    context = browser.new_context(
        base_url=live_site.url, java_script_enabled=script, viewport=VIEWPORTS[viewport]
    )
    page, requested = open_sensitive_post(context, live_site)
    post = card(page, live_site.ids["sensitive_post"])
    cover = post.locator(".sensitive__cover")
    expect(cover).to_contain_text("Sensitive: Spiders")
    show = post.get_by_role("button" if script else "link", name="Show the sensitive photo")
    expect(show).to_be_visible()
    expect(post.get_by_role("img", name=SPIDER)).to_have_count(0)
    # Nothing of the photo was fetched: the cover shows it blurred from a preview of at
    # most 16 pixels across, inline in the page.
    urls = photo_urls(page, live_site)
    assert urls and not urls & set(requested)
    blur = cover.locator("img.sensitive__blur")
    expect(blur).to_be_visible()
    assert blur.evaluate("i => i.src.startsWith('data:image/webp') && i.naturalWidth <= 16")
    assert blur.evaluate("i => getComputedStyle(i).filter").startswith("blur(")
    covered = cover.bounding_box()
    assert covered is not None

    show.click()
    if not script:  # the link: the post's page, shown
        page.wait_for_url(re.compile(r"\?show=sensitive$"))
        post = card(page, live_site.ids["sensitive_post"])
    shown = post.get_by_role("img", name=SPIDER)
    expect(shown).to_be_visible()
    # Polled on a timer: with JavaScript off there are no animation frames to poll on.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.post-card img.photo-frame__img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        polling=100,
        timeout=10_000,
    )
    frame = post.locator(".photo-frame").bounding_box()
    assert frame is not None
    # The photo takes exactly the cover's place: nothing below it moved.
    assert abs(frame["height"] - covered["height"]) < 1 and abs(frame["y"] - covered["y"]) < 1
    if not script:  # axe needs scripts; this page, shown, is in PAGES ("post-sensitive-shown")
        context.close()
        return
    expect(post.get_by_role("link", name=re.compile(SPIDER))).to_be_focused()
    assert_accessible_in_both_themes(page)

    post.get_by_role("button", name="Hide the sensitive photo").click()
    expect(post.get_by_role("img", name=SPIDER)).to_have_count(0)
    expect(cover).to_contain_text("Sensitive: Spiders")
    expect(show).to_be_focused()
    context.close()


def test_the_cover_is_accessible_in_both_themes_on_a_phone(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(base_url=live_site.url, viewport=VIEWPORTS["mobile"])
    page, _ = open_sensitive_post(context, live_site)
    assert_accessible_in_both_themes(page)
    context.close()


def test_grid_tiles_of_sensitive_posts_are_covered_and_marked(
    page: Page, live_site: LiveSite
) -> None:
    page.goto(f"/@{FRIEND}")
    grid = page.get_by_role("list", name=f"Posts by @{FRIEND}")
    tile = grid.locator(f"a[href='/p/{live_site.ids['sensitive_post']}']")
    expect(tile).to_have_accessible_name("Sensitive: Spiders")
    # The only image in the tile is the blurred preview: inline, and silent to readers.
    preview = tile.locator("img")
    expect(preview).to_have_count(1)
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/webp;base64,"))
    expect(preview).to_have_attribute("alt", "")
    expect(grid.get_by_role("img", name=SPIDER)).to_have_count(0)
    tile.click()
    expect(page.locator(".sensitive__cover")).to_contain_text("Sensitive: Spiders")


def test_always_show_sensitive_media(browser: Browser, live_site: LiveSite) -> None:
    create_user(live_site.app, "poppy.live")
    page = browser.new_context(base_url=live_site.url).new_page()
    watcher = PageWatcher(page, live_site.url)
    log_in(page, "poppy.live", PASSWORD)
    page.goto("/settings/")
    page.get_by_role("link", name="Preferences").click()
    always = page.get_by_label("Always show sensitive media")
    expect(always).not_to_be_checked()
    expect(page.get_by_label("Remind me to describe photos")).to_be_checked()
    always.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    expect(page.get_by_label("Always show sensitive media")).to_be_checked()

    page.goto(f"/p/{live_site.ids['sensitive_post']}")
    post = card(page, live_site.ids["sensitive_post"])
    expect(post.get_by_role("img", name=SPIDER)).to_be_visible()
    expect(post.locator(".sensitive__cover")).to_have_count(0)
    expect(post.get_by_text("Sensitive: Spiders")).to_be_visible()  # still said, not covered
    page.goto(f"/@{FRIEND}")
    grid = page.get_by_role("list", name=f"Posts by @{FRIEND}")
    expect(grid.get_by_role("img", name=SPIDER)).to_be_visible()
    assert watcher.problems() == {}


# ---------- The reminder to describe photos ----------


def new_post_page(browser: Browser, live_site: LiveSite, name: str, **options: bool) -> Page:
    create_user(live_site.app, name)
    page = browser.new_context(base_url=live_site.url, **options).new_page()
    log_in(page, name, PASSWORD)
    return page


def choose_photo(page: Page, folder: Path, seed: int) -> None:
    picture = folder / f"photo-{seed}.jpg"
    picture.write_bytes(photo(seed))
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(str(picture))


def test_the_reminder_asks_before_sharing(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    page = new_post_page(browser, live_site, "rue.live")
    watcher = PageWatcher(page, live_site.url)
    choose_photo(page, tmp_path, 61)
    page.get_by_label("Caption").fill("Asked first")
    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog", name="Share without descriptions?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Your photo has no description.")
    assert page.url.endswith("/p/new")  # nothing was sent
    assert_accessible_in_both_themes(page)

    # Going back to describe it: the field, with the chosen file still there.
    dialog.get_by_role("button", name="Add descriptions").click()
    expect(dialog).to_be_hidden()
    description = page.get_by_label("Photo 1", exact=True)
    expect(description).to_be_focused()
    description.fill("A hill in the evening")
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_role("img", name="A hill in the evening")).to_be_visible()
    expect(page.get_by_text("no description")).to_have_count(0)

    # Sharing anyway: asked once, so no second reminder on the post's page.
    choose_photo(page, tmp_path, 62)
    page.get_by_role("button", name="Share").click()
    dialog.get_by_role("button", name="Share anyway").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_text("Your post is up.")).to_be_visible()
    expect(page.get_by_text("no description")).to_have_count(0)
    assert watcher.problems() == {}


def test_the_reminder_can_be_turned_off(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    page = new_post_page(browser, live_site, "sorrel.live")
    page.goto("/settings/preferences")
    page.get_by_label("Remind me to describe photos").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    choose_photo(page, tmp_path, 63)
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_text("Your post is up.")).to_be_visible()
    expect(page.get_by_text("no description")).to_have_count(0)


def test_without_javascript_the_post_reminds_after_sharing(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    page = new_post_page(browser, live_site, "tansy.live", java_script_enabled=False)
    choose_photo(page, tmp_path, 64)
    page.get_by_label("Mark as sensitive").check()
    page.get_by_label("Why it is sensitive (optional)").fill("Bright flashes")
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.get_by_text("Your post is up.")).to_be_visible()
    expect(page.get_by_text("Your photo has no description")).to_be_visible()
    expect(page.locator(".sensitive__cover")).to_contain_text("Sensitive: Bright flashes")
    page.get_by_role("link", name="Add a description").click()
    page.wait_for_url(re.compile(r"/p/\d+/edit$"))
    page.get_by_label("Description of photo 1").fill("Lightning over the ridge")
    expect(page.get_by_label("Why it is sensitive (optional)")).to_have_value("Bright flashes")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    page.get_by_role("link", name="Show the sensitive photo").click()
    expect(page.get_by_role("img", name="Lightning over the ridge")).to_be_visible()
