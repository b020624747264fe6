"""axe-core in real Chromium over every page, in both themes, wide and narrow: zero violations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.pages import PAGES, THEMES, VIEWPORTS, PageSpec, page_state
from tests.support.axe import describe, require_axe, violations
from tests.support.live_server import LiveSite


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_has_no_accessibility_violations(
    context_for: Callable[..., BrowserContext],
    live_site: LiveSite,
    spec: PageSpec,
    theme: str,
    viewport: str,
) -> None:
    require_axe()
    context = context_for(spec, color_scheme=theme, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    with page_state(live_site.app, spec):
        response = page.goto(spec.url(live_site.ids))
        assert response is not None and response.status == spec.status
        spec.prepare(page)
        found = violations(page)
    assert found == [], describe(found)
