"""The rest of a post's life in real Chromium: who liked it, from its like count; copying its
link; the "Edited" mark; tags in search."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import FRIEND, MEMBER, VIEWPORTS, PageSpec
from tests.factories import PASSWORD, create_post, create_user
from tests.support.axe import assert_accessible_in_both_themes, require_axe
from tests.support.browser import PageWatcher, log_in
from tests.support.live_server import LiveSite

AS_MEMBER = PageSpec("as-member", "/", login=MEMBER)
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def accessible_at_both_sizes(page: Page) -> None:
    require_axe()
    for size in VIEWPORTS.values():
        page.set_viewport_size(size)
        assert_accessible_in_both_themes(page)


def test_the_like_count_opens_the_list_of_who_liked(
    context_for: Callable[..., BrowserContext], live_site: LiveSite
) -> None:
    page = context_for(AS_MEMBER).new_page()
    watcher = PageWatcher(page, live_site.url)
    own = live_site.ids["own_post"]
    page.goto(f"/p/{own}")
    page.get_by_role("link", name="1 like", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/p/{own}/likes$"))
    expect(page.get_by_role("heading", name="Likes", level=1)).to_be_visible()
    likers = page.get_by_role("list", name="People who liked this post")
    expect(likers.get_by_role("listitem")).to_have_count(1)
    expect(likers.get_by_text(f"@{FRIEND}")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Back to the post")).click()
    expect(page).to_have_url(re.compile(rf"/p/{own}$"))
    assert watcher.problems() == {}


def test_copy_link_puts_the_posts_address_on_the_clipboard(
    context_for: Callable[..., BrowserContext], live_site: LiveSite
) -> None:
    page = context_for(AS_MEMBER, permissions=CLIPBOARD).new_page()
    watcher = PageWatcher(page, live_site.url)
    post = live_site.ids["post"]
    page.goto(f"/p/{post}")
    status = page.locator(f"#post-{post}-copied")
    page.get_by_role("button", name="Copy link").click()
    expect(status).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_site.url}/p/{post}"
    accessible_at_both_sizes(page)  # with "Link copied" showing

    # A like swaps in new action buttons (posts.js): Copy link is still a button there.
    page.evaluate("navigator.clipboard.writeText('')")
    like = page.get_by_role("button", name="Like")
    was_pressed = like.get_attribute("aria-pressed") == "true"
    like.click()
    expect(page.get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "false" if was_pressed else "true"
    )
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(f"#post-{post}-copied")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_site.url}/p/{post}"
    page.get_by_role("button", name="Like").click()  # as it was, for the other tests
    expect(page.get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true" if was_pressed else "false"
    )
    assert watcher.problems() == {}


def test_copy_link_on_the_feed_copies_each_posts_own_address(
    context_for: Callable[..., BrowserContext], live_site: LiveSite
) -> None:
    page = context_for(AS_MEMBER, permissions=CLIPBOARD).new_page()
    page.goto("/home")
    card = page.locator("article.post-card").nth(1)
    href = card.locator(".post-card__time").get_attribute("href")
    assert href is not None
    card.get_by_role("button", name="Copy link").click()
    expect(card.get_by_role("status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == live_site.url + href


def test_without_javascript_the_posts_time_is_its_link(
    browser: Browser, live_site: LiveSite
) -> None:
    """No clipboard to copy to, so no Copy link button (share.js adds it, issue #18 took the
    placeholder link out of every card): the time, as on every card, leads to the post."""
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    post = live_site.ids["post"]
    page.goto(f"/p/{post}#comments")
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    page.locator("article.post-card .post-card__time").click()
    expect(page).to_have_url(f"{live_site.url}/p/{post}")
    context.close()


def test_an_edited_post_says_so_with_the_time(browser: Browser, live_site: LiveSite) -> None:
    editor = create_user(live_site.app, "editor.live")
    post = create_post(live_site.app, editor, "Before the edit")
    page = browser.new_context(base_url=live_site.url).new_page()
    watcher = PageWatcher(page, live_site.url)
    log_in(page, editor.username, PASSWORD)
    page.goto(f"/p/{post.id}")
    header = page.locator("article.post-card header")
    expect(header.get_by_text("Edited")).to_have_count(0)

    page.goto(f"/p/{post.id}/edit")
    page.get_by_role("button", name="Save changes").click()  # nothing changed: no mark
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(header.get_by_text("Edited")).to_have_count(0)

    page.goto(f"/p/{post.id}/edit")
    page.get_by_label("Caption").fill("After the edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("After the edit")).to_be_visible()
    mark = header.locator("time", has_text="Edited")
    expect(mark).to_be_visible()
    edited = datetime.fromisoformat(mark.get_attribute("datetime") or "")
    assert edited.tzinfo is not None
    expect(mark).to_have_attribute("title", f"Edited {edited:%d %b %Y, %H:%M} UTC")
    # Said in full to screen readers: "Edited 02 Dec 2026, 21:05 UTC".
    expect(header.locator(".post-card__edited")).to_have_text(
        f"Edited {edited:%d %b %Y, %H:%M} UTC"
    )
    accessible_at_both_sizes(page)
    assert watcher.problems() == {}


def test_search_shows_tags_next_to_people_and_leads_to_the_tag(
    context_for: Callable[..., BrowserContext], live_site: LiveSite
) -> None:
    page = context_for(PageSpec("visitor", "/")).new_page()
    page.goto("/explore")
    page.get_by_role("searchbox").fill("#mo")
    page.get_by_role("button", name="Search").click()
    tags = page.get_by_role("list", name="Tags matching #mo")
    expect(tags.get_by_role("link")).to_have_text(["#morning", "#moss"])
    people = page.get_by_role("list", name="People matching #mo")
    expect(people).to_have_count(0)
    tags.get_by_role("link", name="#moss").click()
    expect(page).to_have_url(f"{live_site.url}/tags/moss")
