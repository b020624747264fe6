from __future__ import annotations

import pytest

from app.services.clients import device_label


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iOS",
        ),
        ("", "Unknown device"),
        ("curl/8.5.0", "curl"),
        ("\x01\x02 garbage", "Unknown browser"),
        ("x" * 10_000, "Unknown browser"),
    ],
)
def test_devices_get_short_human_labels(user_agent: str, label: str) -> None:
    assert device_label(user_agent) == label
