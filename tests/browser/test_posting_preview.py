"""Posting with a preview (issue #17 item 3): thumbnails of the chosen photos, made in the
browser; move and remove them; describe each beside its thumbnail; Original or Square. What is
sent follows what is shown. Without JavaScript the plain form does the same job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Photo
from tests.browser.pages import VIEWPORTS
from tests.factories import PASSWORD, create_user
from tests.support.axe import assert_accessible_in_both_themes
from tests.support.browser import PageWatcher, log_in
from tests.support.demo import photo
from tests.support.live_server import LiveSite

POSTER = "preview.live"


@pytest.fixture(scope="module")
def poster(live_site: LiveSite) -> str:
    create_user(live_site.app, POSTER)
    return POSTER


@pytest.fixture
def composer(browser: Browser, live_site: LiveSite, poster: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_site.url)
    log_in(context.new_page(), poster, PASSWORD)
    yield context
    context.close()


def pictures(folder: Path, sizes: dict[str, tuple[int, int]]) -> list[str]:
    paths = []
    for seed, (name, size) in enumerate(sizes.items(), start=60):
        path = folder / name
        path.write_bytes(photo(seed, size))
        paths.append(str(path))
    return paths


def choices(page: Page) -> Locator:
    return page.get_by_role("list", name="Chosen, in the order they will appear").get_by_role(
        "listitem"
    )


def expect_order(page: Page, *names: str) -> None:
    expect(page.locator("[data-photo-name]")).to_have_text(list(names))


def files_to_send(page: Page) -> list[str]:
    files: list[str] = page.get_by_label("Photos").evaluate(
        "(i) => [...i.files].map((f) => f.name)"
    )
    return files


def stored_photos(live_site: LiveSite, post_id: int) -> list[tuple[str, int, int]]:
    with live_site.app.app_context():
        photos = db.session.scalars(
            select(Photo).where(Photo.post_id == post_id).order_by(Photo.position)
        ).all()
        return [(photo.alt_text, photo.width, photo.height) for photo in photos]


def share(page: Page, *, undescribed: bool = False) -> None:
    """Press Share; with photos left undescribed, the reminder asks first: share anyway."""
    page.get_by_role("button", name="Share").click()
    if undescribed:
        reminder = page.get_by_role("dialog", name="Share without descriptions?")
        expect(reminder).to_be_visible()
        reminder.get_by_role("button", name="Share anyway").click()


def shared(page: Page, *, undescribed: bool = False) -> int:
    share(page, undescribed=undescribed)
    page.wait_for_url(re.compile(r"/p/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_choose_move_remove_and_describe_then_share_in_that_order(
    composer: BrowserContext, live_site: LiveSite, tmp_path: Path
) -> None:
    page = composer.new_page()
    watcher = PageWatcher(page, live_site.url)
    page.goto("/p/new")
    files = pictures(tmp_path, {"a.jpg": (1200, 900), "b.jpg": (900, 1200), "c.jpg": (1000, 1000)})
    page.get_by_label("Photos").set_input_files(files)

    expect(choices(page)).to_have_count(3)
    expect_order(page, "a.jpg", "b.jpg", "c.jpg")
    thumbs = page.locator("[data-photo-thumb]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-photo-thumb]')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    assert thumbs.first.get_attribute("src", timeout=1000).startswith("blob:")  # type: ignore[union-attr]
    expect(page.get_by_role("button", name="Move up photo 1")).to_be_disabled()
    expect(page.get_by_role("button", name="Move down photo 3")).to_be_disabled()

    # The preview, described and checked by axe at both sizes, in both themes.
    page.get_by_label("Photo 1", exact=True).fill("Will be removed")
    for size in ("desktop", "mobile"):
        page.set_viewport_size(VIEWPORTS[size])  # type: ignore[arg-type]
        assert_accessible_in_both_themes(page)

    page.get_by_role("button", name="Move up photo 3").click()  # c before b
    expect(page.get_by_role("button", name="Move up photo 2")).to_be_focused()
    expect(page.locator("[data-photo-status]")).to_have_text("Photo moved to position 2 of 3.")
    expect_order(page, "a.jpg", "c.jpg", "b.jpg")
    page.keyboard.press("Enter")  # the focus stayed on the button: c goes first
    expect_order(page, "c.jpg", "a.jpg", "b.jpg")
    expect(page.get_by_role("button", name="Move down photo 1")).to_be_focused()  # up is off
    # Its description went with it, renumbered.
    expect(choices(page).nth(1).get_by_label("Photo 2", exact=True)).to_have_value(
        "Will be removed"
    )
    page.get_by_role("button", name="Move down photo 1").click()  # back: a, c, b
    expect_order(page, "a.jpg", "c.jpg", "b.jpg")

    page.get_by_role("button", name="Remove photo 1").click()
    expect(choices(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Remove photo 1")).to_be_focused()
    expect(page.locator("[data-photo-status]")).to_have_text("Photo removed. 2 photos left.")
    expect_order(page, "c.jpg", "b.jpg")
    assert files_to_send(page) == ["c.jpg", "b.jpg"]  # the removed photo is not sent
    expect(choices(page).first.get_by_label("Photo 1", exact=True)).to_have_value("")
    choices(page).first.get_by_label("Photo 1", exact=True).fill("A square meadow")
    choices(page).nth(1).get_by_label("Photo 2", exact=True).fill("A tall hill")

    post_id = shared(page)
    assert stored_photos(live_site, post_id) == [
        ("A square meadow", 1000, 1000),
        ("A tall hill", 900, 1200),
    ]
    expect(page.get_by_role("img", name="A square meadow")).to_be_visible()
    assert watcher.problems() == {}


def test_square_crops_every_photo_of_the_post(
    composer: BrowserContext, live_site: LiveSite, tmp_path: Path
) -> None:
    page = composer.new_page()
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(
        pictures(tmp_path, {"wide.jpg": (1600, 1200), "tall.jpg": (1200, 1500)})
    )
    thumb = page.locator("[data-photo-thumb]").first
    expect(thumb).to_have_css("object-fit", "contain")
    page.get_by_label("Square: cropped from the centre").check()
    expect(thumb).to_have_css("object-fit", "cover")  # the preview shows the crop
    page.get_by_label("Photo 1", exact=True).fill("Cropped wide")
    post_id = shared(page, undescribed=True)
    assert stored_photos(live_site, post_id) == [("Cropped wide", 1080, 1080), ("", 1080, 1080)]
    frame = page.locator(".photo-frame").first.bounding_box()
    assert frame is not None and abs(frame["width"] - frame["height"]) <= 1


def test_without_javascript_the_numbered_form_does_the_same(
    browser: Browser, live_site: LiveSite, poster: str, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=live_site.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, poster, PASSWORD)
    page.goto("/p/new")
    page.get_by_label("Photos").set_input_files(
        pictures(tmp_path, {"one.jpg": (1200, 800), "two.jpg": (800, 1200)})
    )
    expect(page.get_by_role("list", name="Chosen, in the order they will appear")).to_be_hidden()
    page.get_by_text("Describe your photos for people who can't see them").click()
    page.get_by_label("Photo 1", exact=True).fill("First, cropped")
    page.get_by_label("Photo 2", exact=True).fill("Second, cropped")
    page.get_by_label("Square: cropped from the centre").check()
    post_id = shared(page)
    assert stored_photos(live_site, post_id) == [
        ("First, cropped", 800, 800),
        ("Second, cropped", 800, 800),
    ]
    context.close()


def test_files_that_cannot_be_shared_are_marked_before_anything_is_sent(
    composer: BrowserContext, live_site: LiveSite, tmp_path: Path
) -> None:
    page = composer.new_page()
    page.goto("/p/new")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    many = pictures(tmp_path, {f"{n:02}.jpg": (200, 150) for n in range(1, 11)})
    page.get_by_label("Photos").set_input_files([*many, str(notes)])
    expect(choices(page)).to_have_count(11)
    eleventh = choices(page).nth(10)
    expect(eleventh).to_contain_text("A post can have up to 10 photos.")  # one thing at a time
    expect(eleventh.get_by_text("No preview")).to_be_visible()
    expect(eleventh.get_by_role("textbox")).to_have_count(0)  # past the limit: no description
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("button", name="Remove photo 11")).to_be_focused()
    expect(page.locator("#upload-progress")).to_be_hidden()
    assert "POST" not in requests  # nothing was uploaded
    assert_accessible_in_both_themes(page)

    # Moved up, the text file takes the tenth place and its description; 10.jpg is now past it.
    page.get_by_role("button", name="Move up photo 11").click()
    tenth = choices(page).nth(9)
    expect(tenth).to_contain_text("Choose a JPEG, PNG, WebP or HEIC photo.")
    expect(tenth.get_by_label("Photo 10", exact=True)).to_be_enabled()
    expect(choices(page).nth(10)).to_contain_text("A post can have up to 10 photos.")
    page.get_by_role("button", name="Remove photo 2").click()  # 10.jpg is back within
    expect(page.get_by_text("A post can have up to 10 photos.")).to_have_count(0)
    choices(page).nth(8).get_by_role("button", name="Remove photo 9").click()  # the text file
    expect(page.locator("[data-photo-problem]:visible")).to_have_count(0)
    post_id = shared(page, undescribed=True)
    assert len(stored_photos(live_site, post_id)) == 9


def test_a_photo_the_server_refuses_is_marked_beside_its_thumbnail(
    composer: BrowserContext, live_site: LiveSite, tmp_path: Path
) -> None:
    page = composer.new_page()
    page.goto("/p/new")
    fake = tmp_path / "holiday.jpg"
    fake.write_text("<html><script>alert(1)</script></html>")
    good = pictures(tmp_path, {"good.jpg": (600, 400)})
    page.get_by_label("Photos").set_input_files([*good, str(fake)])
    page.get_by_label("Photo 1", exact=True).fill("Kept after the refusal")
    share(page, undescribed=True)  # the second "photo" has no description

    expect(page.get_by_role("alert")).to_contain_text("Please fix the problem below.")
    expect(page.get_by_text("Photo 2 can't be used: see below.")).to_be_visible()
    expect(choices(page)).to_have_count(2)  # the photos came back, in their order
    expect(choices(page).nth(1)).to_contain_text("not a photo Sapling can read")
    expect(page.get_by_label("Photo 1", exact=True)).to_have_value("Kept after the refusal")
    page.get_by_role("button", name="Remove photo 2").click()
    expect(page.get_by_text("Photo 2 can't be used: see below.")).to_be_hidden()
    post_id = shared(page)
    assert stored_photos(live_site, post_id) == [("Kept after the refusal", 600, 400)]
