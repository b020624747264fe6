"""Photos keep their shape, and posts of several photos can be browsed (issue #17, items 1-2).

A post's frame is its first photo's shape, kept between 1.91:1 and 4:5 (views.posts.frame_shape);
every photo is shown whole inside it, so a 3:1 panorama is letterboxed in a 1.91:1 frame, never
cropped. The frame has its size before the image arrives.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.pages import FRIEND
from tests.factories import PASSWORD, create_user
from tests.support.browser import PageWatcher, log_in
from tests.support.demo import photo
from tests.support.live_server import LiveSite

UPLOADER = "shapes.live"
# name: (uploaded size, the frame's width / height, the stored display size)
SHAPES = {
    "landscape": ((1600, 1200), 4 / 3, (1080, 810)),
    "portrait": ((1200, 1500), 4 / 5, (1080, 1350)),
    "panorama": ((2400, 800), 1.91, (1080, 360)),
}
TOLERANCE_PX = 1.5


@pytest.fixture(scope="module")
def shaped_posts(
    browser: Browser, live_site: LiveSite, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, int]:
    """One post per shape, uploaded through the form: {shape: post id}."""
    create_user(live_site.app, UPLOADER)
    folder = tmp_path_factory.mktemp("shapes")
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    log_in(page, UPLOADER, PASSWORD)
    made = {}
    for seed, (name, (size, _ratio, _stored)) in enumerate(SHAPES.items(), start=40):
        picture = folder / f"{name}.jpg"
        picture.write_bytes(photo(seed, size))
        page.goto("/p/new")
        page.get_by_label("Photos").set_input_files(str(picture))
        page.get_by_label("Photo 1", exact=True).fill(f"A {name} photo")
        page.get_by_role("button", name="Share").click()
        page.wait_for_url(re.compile(r"/p/\d+$"))
        made[name] = int(page.url.rsplit("/", 1)[1])
    context.close()
    return made


@pytest.fixture
def uploader(browser: Browser, live_site: LiveSite, shaped_posts: dict[str, int]) -> Page:
    context = browser.new_context(base_url=live_site.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, UPLOADER, PASSWORD)
    return page


def card(page: Page, post_id: int) -> Locator:
    return page.locator(f"article[aria-labelledby='post-{post_id}-author']")


def frame_box(page: Page, post_id: int) -> dict[str, float]:
    box = card(page, post_id).locator(".photo-frame").first.bounding_box()
    assert box is not None
    return box


def assert_shaped(box: dict[str, float], ratio: float) -> None:
    assert box["width"] > 100
    expected = box["width"] / ratio
    assert abs(box["height"] - expected) <= TOLERANCE_PX, (box, ratio)


DRAWN = """(img) => ({
    fit: getComputedStyle(img).objectFit,
    natural: [img.naturalWidth, img.naturalHeight],
    fills: img.getBoundingClientRect().height === img.parentElement.getBoundingClientRect().height,
})"""


def shown_whole(page: Page, post_id: int) -> dict[str, object]:
    """How the photo is drawn: object-fit, the image's own size as stored, and whether the
    image box fills the frame (so ``contain`` fits the whole photo inside the frame)."""
    found: dict[str, object] = (
        card(page, post_id).locator(".photo-frame__img").first.evaluate(DRAWN)
    )
    return found


@pytest.mark.parametrize("where", ["feed", "post page"])
def test_each_photo_keeps_its_shape(
    uploader: Page, live_site: LiveSite, shaped_posts: dict[str, int], where: str
) -> None:
    watcher = PageWatcher(uploader, live_site.url)
    for name, (_size, ratio, stored) in SHAPES.items():
        post_id = shaped_posts[name]
        uploader.goto("/home" if where == "feed" else f"/p/{post_id}")
        uploader.wait_for_load_state("load")
        assert_shaped(frame_box(uploader, post_id), ratio)
        drawn = shown_whole(uploader, post_id)
        # The whole photo, as stored, fitted inside the frame (letterboxed when shapes differ).
        assert drawn == {"fit": "contain", "natural": list(stored), "fills": True}, name
    assert watcher.problems() == {}


def test_the_frames_have_their_size_before_the_images_load(
    browser: Browser, live_site: LiveSite, shaped_posts: dict[str, int]
) -> None:
    """With every photo held back, each frame already has its final size: nothing jumps."""
    sizes: dict[str, dict[str, list[float]]] = {}
    for held_back in (True, False):
        context = browser.new_context(base_url=live_site.url)
        log_in(context.new_page(), UPLOADER, PASSWORD)
        if held_back:
            context.route(re.compile(r"/media/"), lambda route: route.abort())
        page = context.new_page()
        page.goto("/home")
        page.wait_for_load_state("load")
        loaded = page.evaluate(
            "[...document.querySelectorAll('.photo-frame__img')].filter((i) => i.naturalWidth)"
            ".length"
        )
        assert (loaded == 0) is held_back
        sizes["held" if held_back else "loaded"] = {
            name: [frame_box(page, post_id)[k] for k in ("width", "height")]
            for name, post_id in shaped_posts.items()
        }
        context.close()
    assert sizes["held"] == sizes["loaded"]
    for name, (_size, ratio, _stored) in SHAPES.items():
        width, height = sizes["held"][name]
        assert_shaped({"width": width, "height": height}, ratio)


def test_opening_a_photo_shows_it_whole_at_the_largest_size(
    uploader: Page, shaped_posts: dict[str, int]
) -> None:
    post_id = shaped_posts["panorama"]
    uploader.goto(f"/p/{post_id}")
    link = uploader.get_by_role("link", name="A panorama photo open full size")
    expect(link).to_have_attribute("href", re.compile(r"/media/\w+/display\.webp$"))
    link.click()
    uploader.wait_for_url(re.compile(r"/display\.webp$"))
    size = uploader.evaluate("[document.images[0].naturalWidth, document.images[0].naturalHeight]")
    assert size == list(SHAPES["panorama"][2])


# A post of several photos -------------------------------------------------------------------


def carousel_page(context: BrowserContext, live_site: LiveSite, fragment: str = "") -> Page:
    page = context.new_page()
    page.goto(f"/p/{live_site.ids['carousel_post']}{fragment}")
    return page


def in_view(page: Page, number: int) -> bool:
    """Whether photo ``number`` fills the strip (it has snapped into place)."""
    track = page.locator(".carousel__track").bounding_box()
    slide = page.locator(f".carousel__slide:nth-child({number})").bounding_box()
    assert track is not None and slide is not None
    return abs(slide["x"] - track["x"]) < 1 and abs(slide["width"] - track["width"]) < 1


def settled(page: Page, number: int) -> None:
    """Wait for the strip to come to rest at photo ``number`` (it scrolls smoothly)."""
    page.wait_for_function(
        """(n) => { const t = document.querySelector('.carousel__track');
                   return Math.abs(t.scrollLeft - (n - 1) * t.clientWidth) < 1; }""",
        arg=number,
    )


def expect_at(page: Page, number: int, total: int = 4) -> None:
    """Photo ``number`` is shown, its dot is current, and the position was announced."""
    status = page.locator("[data-carousel-status]")
    expect(status).to_have_text(f"Photo {number} of {total}")
    dot = page.get_by_role("link", name=f"Photo {number}", exact=True)
    expect(dot).to_have_attribute("aria-current", "true")
    expect(page.locator("[aria-current=true].carousel__dot")).to_have_count(1)
    settled(page, number)
    assert in_view(page, number)
    badge = page.locator(f".carousel__slide:nth-child({number}) .carousel__count")
    expect(badge).to_have_text(f"{number} / {total}")
    expect(badge).to_be_in_viewport()


def test_the_buttons_step_through_the_photos(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    page = carousel_page(browser_context, live_site)
    watcher = PageWatcher(page, live_site.url)
    status = page.locator("[data-carousel-status]")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")  # nothing is said until the reader moves
    expect(page.get_by_role("group", name="4 photos")).to_have_attribute(
        "aria-roledescription", "carousel"
    )
    previous = page.get_by_role("button", name="Previous photo")
    following = page.get_by_role("button", name="Next photo")
    expect(previous).to_have_attribute("aria-disabled", "true")
    expect(following).to_have_attribute("aria-disabled", "false")
    expect(page.get_by_role("group", name="1 of 4")).to_be_visible()

    for number in (2, 3, 4):
        following.click()
        expect_at(page, number)
    expect(following).to_have_attribute("aria-disabled", "true")
    expect(previous).to_have_attribute("aria-disabled", "false")
    previous.click()
    expect_at(page, 3)
    assert watcher.problems() == {}


def test_every_photo_of_a_post_shares_its_frame(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    """The first photo is 4:3, so all four are shown in 4:3 frames, each of them whole."""
    page = carousel_page(browser_context, live_site)
    page.wait_for_load_state("load")
    frames = page.locator(".carousel .photo-frame")
    expect(frames).to_have_count(4)
    boxes = [frames.nth(n).bounding_box() for n in range(4)]
    for box in boxes:
        assert box is not None
        assert_shaped(box, 4 / 3)
        assert box["height"] == boxes[0]["height"]  # type: ignore[index]
    fits = page.eval_on_selector_all(
        ".carousel .photo-frame__img", "(imgs) => imgs.map((i) => getComputedStyle(i).objectFit)"
    )
    assert fits == ["contain"] * 4


def test_arrow_keys_move_when_the_photos_have_focus(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    page = carousel_page(browser_context, live_site)
    track = page.get_by_role("group", name="4 photos")
    track.focus()
    page.keyboard.press("ArrowRight")
    expect_at(page, 2)
    page.keyboard.press("End")
    expect_at(page, 4)
    page.keyboard.press("ArrowRight")  # already at the end
    expect_at(page, 4)
    page.keyboard.press("ArrowLeft")
    expect_at(page, 3)
    page.keyboard.press("Home")
    expect_at(page, 1)


def test_a_photo_link_that_has_focus_moves_with_the_keys(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    page = carousel_page(browser_context, live_site)
    page.get_by_role("link", name="A wide valley at noon open full size").focus()
    page.keyboard.press("ArrowRight")
    expect_at(page, 2)
    expect(
        page.get_by_role("link", name="A tall hill above the path open full size")
    ).to_be_focused()


def test_tab_goes_from_the_photos_to_the_photo_shown(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    page = carousel_page(browser_context, live_site)
    page.get_by_role("button", name="Next photo").click()
    page.get_by_role("button", name="Next photo").click()  # at once: two photos on
    expect_at(page, 3)
    page.get_by_role("group", name="4 photos").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="The whole ridge from end to end")).to_be_focused()
    expect_at(page, 3)  # focus did not pull the strip back to the first photo


def test_a_swipe_moves_one_photo(browser: Browser, live_site: LiveSite) -> None:
    context = browser.new_context(
        base_url=live_site.url, viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = carousel_page(context, live_site)
    box = page.locator(".carousel__track").bounding_box()
    assert box is not None
    # A finger drawn from right to left across most of the photo, as touch events.
    x, y = box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x - step * box["width"] * 0.07, "y": y}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect_at(page, 2)
    context.close()


def test_the_dots_move_the_strip_in_place(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    page = carousel_page(browser_context, live_site)
    page.get_by_role("link", name="Photo 3", exact=True).click()
    expect_at(page, 3)
    assert page.evaluate("window.scrollY") == 0  # the page did not jump to the photo
    assert "#" not in page.url


def test_opened_at_a_photo_the_controls_start_there(
    browser_context: BrowserContext, live_site: LiveSite
) -> None:
    post = live_site.ids["carousel_post"]
    page = carousel_page(browser_context, live_site, f"#post-{post}-photos-2")
    expect(page.get_by_role("link", name="Photo 2", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.get_by_role("button", name="Previous photo")).to_have_attribute(
        "aria-disabled", "false"
    )
    settled(page, 2)
    assert in_view(page, 2)


def test_without_javascript_every_photo_is_reachable(browser: Browser, live_site: LiveSite) -> None:
    # Reduced motion: the strip jumps to a photo at once instead of scrolling there smoothly.
    context = browser.new_context(
        base_url=live_site.url, java_script_enabled=False, reduced_motion="reduce"
    )
    page = carousel_page(context, live_site)
    expect(page.get_by_role("button", name="Next photo")).to_be_hidden()
    expect(page.locator(".carousel__slide:nth-child(1) .carousel__count")).to_have_text("1 / 4")
    for number in (3, 4, 1):
        page.get_by_role("link", name=f"Photo {number}", exact=True).click()
        page.wait_for_url(re.compile(rf"-photos-{number}$"))
        assert in_view(page, number)
        expect(
            page.locator(f".carousel__slide:nth-child({number}) .carousel__count")
        ).to_be_in_viewport()
    context.close()


def test_the_controls_arrive_without_moving_anything(browser: Browser, live_site: LiveSite) -> None:
    """The buttons float over the photo and the dots are there either way: with or without
    JavaScript, the post takes the same room."""
    heights = []
    for script in (False, True):
        context = browser.new_context(base_url=live_site.url, java_script_enabled=script)
        page = carousel_page(context, live_site)
        box = page.locator(".post-card").bounding_box()
        assert box is not None
        heights.append(box["height"])
        context.close()
    assert heights[0] == heights[1]


def test_grid_tiles_of_posts_with_several_photos_are_marked(
    page: Page, live_site: LiveSite
) -> None:
    page.goto(f"/@{FRIEND}")
    grid = page.get_by_role("list", name=f"Posts by @{FRIEND}")
    several = grid.locator(f"a[href='/p/{live_site.ids['carousel_post']}']")
    expect(several.get_by_role("img", name="4 photos")).to_be_visible()
    expect(several).to_have_accessible_name(re.compile(r"A wide valley at noon\s*4 photos"))
    single = grid.locator(f"a[href='/p/{live_site.ids['post']}']")
    expect(single.locator(".photo-grid__marker")).to_have_count(0)
