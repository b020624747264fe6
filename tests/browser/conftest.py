"""Browser fixtures: pages opened as a logged-in member or as a visitor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.browser.pages import PageSpec
from tests.factories import PASSWORD
from tests.support.browser import log_in
from tests.support.live_server import LiveServer

StorageState = dict[str, Any]


@pytest.fixture(scope="session")
def signed_in_state(browser: Browser, live_server: LiveServer) -> Callable[[str], StorageState]:
    """Cookies of a browser that logged in once as ``username`` (reused, not re-typed)."""
    cache: dict[str, StorageState] = {}

    def state_for(username: str) -> StorageState:
        if username not in cache:
            context = browser.new_context(base_url=live_server.url)
            log_in(context.new_page(), username, PASSWORD)
            cache[username] = dict(context.storage_state())
            context.close()
        return cache[username]

    return state_for


@pytest.fixture
def context_for(
    browser: Browser, live_server: LiveServer, signed_in_state: Callable[[str], StorageState]
) -> Callable[..., BrowserContext]:
    """A new browser context for a page spec: logged in if the page needs it."""
    opened: list[BrowserContext] = []

    def open_context(spec: PageSpec, **options: Any) -> BrowserContext:
        if spec.login:
            options["storage_state"] = signed_in_state(spec.login)
        context = browser.new_context(base_url=live_server.url, **options)
        opened.append(context)
        return context

    yield open_context  # type: ignore[misc]
    for context in opened:
        context.close()
