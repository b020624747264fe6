"""axe-core in real Chromium over every page, in both themes, wide and narrow: zero violations."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.browser.pages import PAGES, THEMES, VIEWPORTS, PageSpec

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """(tags) => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
})"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("SAPLING_REQUIRE_BROWSER"):
            pytest.fail("axe-core is missing: run `npm ci`")
        pytest.skip("accessibility tests skipped: axe-core not installed (npm ci)")
    return AXE.read_text()


def describe(violations: list[dict[str, object]]) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        assert isinstance(nodes, list)
        targets = ", ".join(json.dumps(node["target"]) for node in nodes[:5])
        lines.append(f"{violation['id']}: {violation['help']} ({len(nodes)}x: {targets})")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_has_no_accessibility_violations(
    context_for: Callable[..., BrowserContext],
    axe_source: str,
    spec: PageSpec,
    theme: str,
    viewport: str,
) -> None:
    context = context_for(spec, color_scheme=theme, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    response = page.goto(spec.path)
    assert response is not None and response.status == spec.status
    # Evaluated through the DevTools protocol, so the page's CSP stays strict.
    page.evaluate(axe_source)
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    assert results["violations"] == [], describe(results["violations"])
