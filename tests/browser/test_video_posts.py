"""A video post in real Chromium (issue #20): chosen in the form, sent with its progress,
"processing" until the worker has made it, then played with the keyboard, sought (a range
request), and picked up where it was after the page is left and opened again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.worker import jobs
from tests.factories import PASSWORD, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import log_in
from tests.support.live_server import LiveSite
from tests.support.videos import needs_ffmpeg, phone_mov

pytestmark = needs_ffmpeg


def run_the_worker(live_site: LiveSite) -> None:
    with live_site.app.app_context():
        jobs.process_videos(lambda: False)


def share_a_video(page: Page, clip: Path) -> None:
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(str(clip))
    description = page.get_by_label("Photo 1", exact=True)
    if not description.is_visible():  # without JavaScript: the numbered descriptions, folded
        page.get_by_text("Describe your photos for people who can't see them").click()
    description.fill("Bells ringing at noon")
    page.get_by_label("Caption").fill("Noon #bells")
    page.get_by_role("button", name="Share").click()


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_a_video_is_processed_then_posted(
    browser: Browser, live_site: LiveSite, tmp_path: Path, script: bool
) -> None:
    username = f"bells.{'js' if script else 'plain'}"
    create_user(live_site.app, username)
    context = browser.new_context(base_url=live_site.url, java_script_enabled=script)
    page = context.new_page()
    log_in(page, username, PASSWORD)
    share_a_video(page, phone_mov(tmp_path))
    expect(page.get_by_role("heading", name="Preparing your post")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Waiting for its turn")
    if script:
        assert_accessible_in_both_themes(page)
    run_the_worker(live_site)
    if not script:
        page.get_by_role("link", name="Check again").click()
    # With JavaScript the page asks every few seconds and goes to the post once it is made.
    expect(page.get_by_text("Your post is up.")).to_be_visible(timeout=30_000)
    video = page.get_by_role("group", name="Bells ringing at noon").or_(
        page.locator("video[aria-label='Bells ringing at noon']")
    )
    expect(video.first).to_be_visible()
    assert video.first.get_attribute("autoplay") is None
    context.close()


def test_a_video_plays_from_the_keyboard_seeks_and_keeps_its_place(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    create_user(live_site.app, "bells.player")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    log_in(page, "bells.player", PASSWORD)
    share_a_video(page, phone_mov(tmp_path, seconds=4))
    expect(page.get_by_role("heading", name="Preparing your post")).to_be_visible()
    run_the_worker(live_site)
    expect(page.get_by_text("Your post is up.")).to_be_visible(timeout=30_000)
    post = page.url
    video = page.locator("video[data-video]")
    assert video.evaluate("v => v.paused && v.networkState !== 2")  # nothing fetched before play

    ranges: list[int] = []
    page.on("response", lambda r: ranges.append(r.status) if r.url.endswith(".mp4") else None)
    video.focus()
    page.keyboard.press("Space")  # the browser's own player, from the keyboard
    page.wait_for_function("() => !document.querySelector('video').paused")
    video.evaluate("v => { v.pause(); v.currentTime = 2.5; }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - 2.5) < 0.3; }"
    )
    assert 206 in ranges, ranges  # the seek asked for a range, and got one
    assert_accessible_in_both_themes(page)

    page.goto("/explore")
    page.goto(post)
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v.readyState >= 1 && v.currentTime > 2; }"
    )
    context.close()
