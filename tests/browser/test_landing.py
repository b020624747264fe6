"""The landing page in real Chromium: clean console, CSP respected, nothing third-party."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.browser import PageWatcher


def test_landing_page_loads_cleanly(watched_page: PageWatcher) -> None:
    page = watched_page.page
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Grow something of your own.")
    page.wait_for_load_state("networkidle")
    assert watched_page.problems() == {}


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


SUBMIT_TWICE = """
async (form) => {
  // Runs after app.js (window is the last bubbling stop): note what it decided, then
  // keep the browser on the page so the in-flight state can be read.
  const seen = [];
  window.addEventListener("submit", (event) => {
    seen.push(event.defaultPrevented ? "blocked" : "sent");
    event.preventDefault();
  });
  const button = form.querySelector("button[type=submit]");
  button.click();
  await new Promise((resolve) => setTimeout(resolve, 50));
  form.requestSubmit();
  return {
    seen,
    busy: button.getAttribute("aria-busy"),
    disabled: button.disabled,
    label: button.textContent.trim(),
  };
}
"""


def test_submit_button_shows_progress_and_cannot_double_submit(page: Page) -> None:
    page.goto("/_gallery/")
    state = page.locator("form.form").evaluate(SUBMIT_TWICE)
    assert state == {
        "seen": ["sent", "blocked"],
        "busy": "true",
        "disabled": True,
        "label": "Saving…",
    }
