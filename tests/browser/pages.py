"""Every page of the app, in one list: the accessibility tests and `make screenshots` walk it.

Each issue that adds a page adds it here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    status: int = 200
    screenshot: bool = True


PAGES = [
    PageSpec("landing", "/"),
    PageSpec("gallery", "/_gallery/"),
    PageSpec("not-found", "/this-page-does-not-exist", status=404, screenshot=False),
]

THEMES = ("light", "dark")

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "mobile": {"width": 360, "height": 740},
}
