"""Opening the notifications page marks what it shows as seen: the badge is gone after it
(issue #17, item 7a)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Post, User
from app.services.content import interactions
from tests.factories import PASSWORD, create_post, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import PageWatcher, log_in
from tests.support.live_server import LiveSite


def like_as(live_site: LiveSite, liker: User, post: Post) -> None:
    with live_site.app.test_request_context():
        who, what = db.session.get(User, liker.id), db.session.get(Post, post.id)
        assert who is not None and what is not None
        interactions.like(who, what)
        db.session.commit()


def test_the_badge_clears_once_the_notifications_page_is_opened(
    page: Page, live_site: LiveSite
) -> None:
    reader = create_user(live_site.app, "linden.live")
    liker = create_user(live_site.app, "maple.live")
    like_as(live_site, liker, create_post(live_site.app, reader, "Bark in the rain"))
    watcher = PageWatcher(page, live_site.url)
    log_in(page, "linden.live", PASSWORD)

    page.goto("/explore")
    activity = page.get_by_role("link", name=re.compile(r"^Activity")).first
    expect(activity).to_have_accessible_name(re.compile(r"1 unread"))
    activity.click()

    page.wait_for_url("**/notifications/")
    item = page.get_by_role("list", name="Notifications").get_by_role("listitem").first
    expect(item).to_contain_text("New: maple.live liked your post.")  # still new on this page
    expect(page.locator(".nav__badge")).to_have_count(0)  # and the badge is cleared
    assert_accessible_in_both_themes(page)  # the page's new items, which only it shows

    page.goto("/explore")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".nav__badge")).to_have_count(0)
    page.goto("/notifications/")
    expect(item).to_contain_text("maple.live liked your post.")
    expect(item).not_to_contain_text("New:")  # seen now
    assert watcher.problems() == {}
