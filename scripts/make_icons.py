"""Render the PNG icons from the brand SVGs with Chromium (`make icons`).

16 and 32 px come from favicon.svg (drawn bolder for small sizes), on a
transparent background. 180, 192 and 512 px are app icons: the static logo on
the light background colour, with a margin, because home screens do not keep
transparency.
"""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.browser import launch_chromium

BRAND = Path(__file__).resolve().parent.parent / "app" / "static" / "brand"
BACKGROUND = "#f7f8f5"
FAVICON_SIZES = (16, 32)
APP_ICON_SIZES = (180, 192, 512)


def _data_url(svg: Path) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.read_bytes()).decode()


def _page_html(svg: Path, size: int, *, background: str | None, margin: float) -> str:
    inner = round(size * (1 - 2 * margin))
    offset = (size - inner) // 2
    bg = background or "transparent"
    return (
        f"<html><body style='margin:0;background:{bg}'>"
        f"<div style='width:{size}px;height:{size}px;position:relative'>"
        f"<img src='{_data_url(svg)}' width='{inner}' height='{inner}' "
        f"style='position:absolute;left:{offset}px;top:{offset}px'></div></body></html>"
    )


def render(size: int, svg: Path, out: Path, *, background: str | None, margin: float) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": size, "height": size}, color_scheme="light")
        page.set_content(_page_html(svg, size, background=background, margin=margin))
        page.wait_for_load_state("load")
        page.screenshot(path=str(out), omit_background=background is None)
        browser.close()


def main() -> None:
    for size in FAVICON_SIZES:
        render(size, BRAND / "favicon.svg", BRAND / f"icon-{size}.png", background=None, margin=0)
    for size in APP_ICON_SIZES:
        render(
            size,
            BRAND / "logo-static.svg",
            BRAND / f"icon-{size}.png",
            background=BACKGROUND,
            margin=0.12,
        )
    print("Wrote", ", ".join(f"icon-{s}.png" for s in FAVICON_SIZES + APP_ICON_SIZES))


if __name__ == "__main__":
    main()
