"""axe-core, run inside a page that Playwright has open."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """(tags) => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
})"""


@cache
def axe_source() -> str | None:
    return AXE.read_text() if AXE.is_file() else None


def require_axe() -> str:
    source = axe_source()
    if source is None:
        if os.environ.get("SAPLING_REQUIRE_BROWSER"):
            pytest.fail("axe-core is missing: run `npm ci`")
        pytest.skip("accessibility tests skipped: axe-core not installed (npm ci)")
    return source


def violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now. Evaluated over DevTools, so the page's CSP stays strict."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(require_axe())
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    return list(results["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        nodes = violation["nodes"]
        targets = ", ".join(json.dumps(node["target"]) for node in nodes[:5])
        lines.append(f"{violation['id']}: {violation['help']} ({len(nodes)}x: {targets})")
    return "\n".join(lines)


def assert_accessible_in_both_themes(page: Page) -> None:
    """For pages only reachable mid-flow (a pending login, a one-time code list)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        found = violations(page)
        assert found == [], f"{page.url} ({scheme}):\n{describe(found)}"
