from __future__ import annotations

import pytest

from app.core.redirects import NEXT_MAX_LENGTH, safe_next


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/settings?tab=2", "/settings?tab=2"),
        ("/", "/"),
        (None, "/home"),
        ("", "/home"),
        ("settings", "/home"),
        ("//evil.example/path", "/home"),
        ("/\\evil.example", "/home"),
        ("/ok\\path", "/home"),
        ("/\tevil", "/home"),
        ("https://evil.example", "/home"),
        ("/" + "a" * NEXT_MAX_LENGTH, "/home"),  # one past the longest
        ("/" + "a" * (NEXT_MAX_LENGTH - 1), "/" + "a" * (NEXT_MAX_LENGTH - 1)),
    ],
)
def test_only_same_site_paths_are_followed(target: str | None, expected: str) -> None:
    assert safe_next(target, "/home") == expected
