"""Bring your photos, in real Chromium: an Instagram archive chosen and sent from the page,
the progress shown while the worker imports it (js/imports.js asks for it), and the
report in place once it ends; without JavaScript, the Refresh link does the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.worker import jobs
from tests.factories import PASSWORD, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import log_in
from tests.support.instagram import CLIP_REASON, write_archive
from tests.support.live_server import LiveSite


def run_the_worker(live_site: LiveSite) -> None:
    """One round of the worker's import and mail jobs, against the live site's database."""
    with live_site.app.app_context():
        jobs.run_imports(lambda: False)
        jobs.deliver_mail(lambda: False)


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_an_archive_sent_from_the_page_is_followed_to_its_report(
    browser: Browser, live_site: LiveSite, tmp_path: Path, script: bool
) -> None:
    username = f"importer.{'js' if script else 'plain'}"
    create_user(live_site.app, username)
    archive = write_archive(tmp_path / "instagram-importer.zip")
    context = browser.new_context(base_url=live_site.url, java_script_enabled=script)
    page = context.new_page()
    log_in(page, username, PASSWORD)
    page.goto("/settings/")
    page.get_by_role("link", name="Import posts").click()

    page.get_by_label("Archive", exact=True).set_input_files(archive)
    page.get_by_label("Only my followers").check()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    expect(page.get_by_text("The posts are for your followers.")).to_be_visible()
    expect(page.get_by_role("button", name="Import")).to_have_count(0)  # one at a time
    if script:  # axe runs as a script in the page
        assert_accessible_in_both_themes(page)

    run_the_worker(live_site)
    if not script:
        page.get_by_role("link", name="Refresh").click()
    # With JavaScript the page asks every few seconds and shows the report once it ends.
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("3 posts with 5 photos, for your followers")).to_be_visible()
    left_out = page.get_by_role("list", name="Left out of the import")
    expect(left_out.get_by_text(CLIP_REASON)).to_be_visible()
    if script:
        assert_accessible_in_both_themes(page)

    page.get_by_role("link", name="See your profile").click()
    expect(page.get_by_text("3 posts")).to_be_visible()
    context.close()


def test_a_refused_archive_is_explained_beside_the_field(
    browser: Browser, live_site: LiveSite, tmp_path: Path
) -> None:
    create_user(live_site.app, "importer.refused")
    not_a_zip = tmp_path / "holiday.zip"
    not_a_zip.write_bytes(b"just some text, named .zip")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    log_in(page, "importer.refused", PASSWORD)
    page.goto("/settings/import")
    page.get_by_label("Archive", exact=True).set_input_files(not_a_zip)
    page.get_by_role("button", name="Import").click()
    archive = page.get_by_label("Archive", exact=True)
    expect(archive).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("it is not a ZIP file, or it is damaged.")).to_be_visible()
    assert_accessible_in_both_themes(page)
    context.close()
