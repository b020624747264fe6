"""The log redactor catches secrets in the shapes they usually take."""

from __future__ import annotations

import pytest

from app.core.logging import redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /reset?token=abcdef123456&x=1", "abcdef123456"),
        ("password=hunter2hunter2", "hunter2hunter2"),
        ("new_password=s3cr3t-value", "s3cr3t-value"),
        ("{'password': 'pa ss word'}", "pa ss word"),
        ('{"csrf_token": "IjA5ZTk0"}', "IjA5ZTk0"),
        ("Cookie: sapling_session=eyJhbGciOi; other=1", "eyJhbGciOi"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("session_id=7f7f7f7f7f", "7f7f7f7f7f"),
    ],
)
def test_secrets_are_redacted(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert "[redacted]" in redacted


def test_ordinary_text_is_left_alone() -> None:
    line = "GET /explore 200 3.1ms client=203.0.113.0"
    assert redact(line) == line
