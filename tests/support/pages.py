"""Helpers for reading pages the way a browser does."""

from __future__ import annotations

import re

from werkzeug.test import TestResponse

_CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(response: TestResponse) -> str:
    """The CSRF token from a rendered form, as a browser would submit it."""
    return csrf_token_in(response.get_data(as_text=True))


def csrf_token_in(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)
