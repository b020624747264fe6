"""Each page links the sheets that style what it shows (docs/architecture.md, "Stylesheets").

The stylesheet is split by area of the site, so a component shown on a page whose template
does not name the component's sheet would silently lose its look. Every page of the axe list
is opened in Chromium; any class on it (templates' contents included) that some sheet of the
site styles must be styled by a sheet the page loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.pages import PAGES, VIEWPORTS, PageSpec, page_state
from tests.support.live_server import LiveSite

CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "css"
COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARATIONS = re.compile(r"\{[^{}]*\}")
CLASS = re.compile(r"\.([A-Za-z][\w-]*)")

# The page's classes, and those the selectors of its loaded sheets name (in @media too).
CLASSES_ON_PAGE = """() => {
  const used = new Set();
  const collect = (root) => {
    for (const element of root.querySelectorAll("[class]")) {
      for (const name of element.classList) used.add(name);
    }
    for (const template of root.querySelectorAll("template")) collect(template.content);
  };
  collect(document);
  for (const name of document.documentElement.classList) used.add(name);
  const styled = new Set();
  const walk = (rules) => {
    for (const rule of rules) {
      for (const match of (rule.selectorText || "").matchAll(/\\.([A-Za-z][\\w-]*)/g)) {
        styled.add(match[1]);
      }
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  return [[...used], [...styled]];
}"""


def styled_anywhere() -> set[str]:
    """Every class a selector in app/static/css names."""
    names: set[str] = set()
    for sheet in CSS.glob("*.css"):
        text = COMMENT.sub("", sheet.read_text())
        while DECLARATIONS.search(text):  # innermost blocks first, then @media's
            text = DECLARATIONS.sub(" ", text)
        names |= set(CLASS.findall(text))
    return names


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_every_styled_class_on_the_page_is_styled_by_a_sheet_it_links(
    context_for: Callable[..., BrowserContext], live_site: LiveSite, spec: PageSpec
) -> None:
    context = context_for(spec, viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    with page_state(live_site.app, spec):
        response = page.goto(spec.url(live_site.ids))
        assert response is not None and response.status == spec.status
        spec.prepare(page)
        used, styled = page.evaluate(CLASSES_ON_PAGE)
    unstyled = (set(used) & styled_anywhere()) - set(styled)
    assert not unstyled, f"{spec.name} shows {sorted(unstyled)} without the sheet that styles them"
