"""The logo and favicon as Chromium paints them: legible at 16 px and 512 px, on light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.colour import contrast_ratio, dominant_foreground, hex_to_rgb

BRAND = Path(__file__).resolve().parents[2] / "app" / "static" / "brand"
BACKGROUNDS = {"light": "#f7f8f5", "dark": "#0f1412"}  # --color-bg in each theme


def render_inline(page: Page, svg_file: str, size: int, background: str) -> None:
    """Put the SVG file's markup into a page, so its internal CSS sees the page's media features."""
    svg = (BRAND / svg_file).read_text()
    svg = svg.replace('width="64" height="64"', f'width="{size}" height="{size}" id="mark"', 1)
    body = f"<body style='margin:0;padding:8px;background:{background}'>{svg}</body>"
    page.set_content(f"<!doctype html><html>{body}</html>")
    # Jump any growth animation to its end, so the final mark is measured.
    page.evaluate("document.getAnimations().forEach((a) => a.finish())")


@pytest.mark.parametrize("svg_file", ["logo.svg", "favicon.svg"])
@pytest.mark.parametrize("size", [16, 512])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_mark_stands_out_from_the_background(
    browser: Browser, svg_file: str, size: int, theme: str
) -> None:
    page = browser.new_page(color_scheme=theme, viewport={"width": 560, "height": 560})
    background = BACKGROUNDS[theme]
    render_inline(page, svg_file, size, background)
    shot = page.locator("#mark").screenshot()
    mark = dominant_foreground(shot, hex_to_rgb(background))
    ratio = contrast_ratio(mark, hex_to_rgb(background))
    page.close()
    assert ratio >= 3.0, (
        f"{svg_file} at {size}px on {theme}: mark {mark} has contrast {ratio:.2f}:1"
    )


def test_favicon_switches_colours_in_dark_mode(browser: Browser) -> None:
    colours = {}
    for theme in ("light", "dark"):
        page = browser.new_page(color_scheme=theme)
        render_inline(page, "favicon.svg", 64, "#808080")
        colours[theme] = dominant_foreground(page.locator("#mark").screenshot(), (128, 128, 128))
        page.close()
    assert colours["light"] != colours["dark"]


@pytest.mark.parametrize(("motion", "animated"), [("no-preference", True), ("reduce", False)])
def test_logo_grows_only_when_motion_is_welcome(
    browser: Browser, motion: str, animated: bool
) -> None:
    page = browser.new_page(reduced_motion=motion)
    svg = (BRAND / "logo.svg").read_text()
    page.set_content(f"<!doctype html><html><body>{svg}</body></html>")
    running = page.evaluate("document.getAnimations().length")
    page.close()
    assert (running > 0) is animated


def test_static_logo_never_moves(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content(
        f"<!doctype html><html><body>{(BRAND / 'logo-static.svg').read_text()}</body></html>"
    )
    assert page.evaluate("document.getAnimations().length") == 0
    page.close()


@pytest.mark.parametrize("size", [16, 32, 180, 192, 512])
def test_png_icons_exist_at_every_size(size: int) -> None:
    from PIL import Image

    with Image.open(BRAND / f"icon-{size}.png") as icon:
        assert icon.size == (size, size)
