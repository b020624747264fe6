"""Counts never contradict the lists, in the browser (issue #17, item 6): the moment an
account deletes itself, the like it gave, its comment and its follow leave every count a
visitor sees, next to lists that already leave it out."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Post, User
from app.services.content import interactions
from tests.factories import PASSWORD, create_post, create_user, follow
from tests.support.browser import PageWatcher, log_in
from tests.support.live_server import LiveSite


def like_and_comment(live_site: LiveSite, who: User, post: Post) -> None:
    with live_site.app.test_request_context():
        person = db.session.get(User, who.id)
        what = db.session.scalars(
            select(Post).where(Post.id == post.id).options(joinedload(Post.author))
        ).one()
        assert person is not None
        interactions.like(person, what)
        interactions.add_comment(person, what, "Lovely frost")
        db.session.commit()


def expect_counts(page: Page, post: Post, *, likes: str, comment: bool, followers: str) -> None:
    page.goto(f"/p/{post.id}")
    expect(page.locator(".post-card__counts")).to_have_text(likes)
    comments = page.get_by_role("region", name="Comments")
    if comment:
        expect(comments).to_contain_text("Lovely frost")
    else:
        expect(comments).to_contain_text("No comments yet.")
    # The card's link to its comments stands only above comments that are there.
    expect(page.get_by_role("link", name="View the comment")).to_have_count(1 if comment else 0)
    page.goto("/@tally.live")
    expect(page.get_by_role("link", name=followers)).to_be_visible()
    page.get_by_role("link", name=followers).click()
    people = page.locator(".list__item.person")
    expect(people).to_have_count(1 if followers == "1 followers" else 0)


def test_a_deleted_account_leaves_every_count_at_once(
    browser: Browser, page: Page, live_site: LiveSite
) -> None:
    author = create_user(live_site.app, "tally.live")
    aspen = create_user(live_site.app, "gone.live")
    post = create_post(live_site.app, author, "Morning frost")
    follow(live_site.app, aspen, author)
    like_and_comment(live_site, aspen, post)
    watcher = PageWatcher(page, live_site.url)  # a visitor, signed out
    expect_counts(page, post, likes="1 like", comment=True, followers="1 followers")

    leaving = browser.new_context(base_url=live_site.url)
    tab = leaving.new_page()
    log_in(tab, "gone.live", PASSWORD)
    tab.goto("/settings/delete")
    tab.get_by_label("Type your username to confirm").fill("@gone.live")
    tab.get_by_role("button", name="Delete my account").click()
    expect(tab.get_by_role("status").or_(tab.get_by_role("alert")).first).to_contain_text(
        "Your account is deleted."
    )
    leaving.close()

    expect_counts(page, post, likes="0 likes", comment=False, followers="0 followers")
    assert watcher.problems() == {}
