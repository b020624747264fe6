from __future__ import annotations

import pytest

from app.core.client_ip import anonymize_ip


@pytest.mark.parametrize(
    ("address", "anonymous"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
        ("::1", "::"),
        ("not an ip", "unknown"),
        ("", "unknown"),
    ],
)
def test_logs_keep_the_network_not_the_host(address: str, anonymous: str) -> None:
    assert anonymize_ip(address) == anonymous
