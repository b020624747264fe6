"""Device labels come from a fixed vocabulary, whatever a User-Agent says."""

from __future__ import annotations

import pytest

from app.models.device_label import BROWSERS, SYSTEMS, is_vocabulary, relabel
from app.services.security.clients import device_label

ATTACK = "(compatible; URGENT call 555-0100 or visit evil-example-com Bot/1.0)"
CHROME = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"


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
        (
            "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iPadOS",
        ),
        (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36", "Chrome on Windows"),
        (
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {CHROME} Safari/537.36",
            "Chrome on macOS",
        ),
        (f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {CHROME} Safari/537.36", "Chrome on ChromeOS"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Ubuntu Chromium/120.0.6099.71 Chrome/120.0.6099.71 Safari/537.36",
            "Chromium on Linux",
        ),
        (
            f"Mozilla/5.0 (Linux; Android 10; K) {CHROME} Mobile Safari/537.36",
            "Chrome Mobile on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            "Chrome Mobile on iOS",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
            "Firefox Mobile on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36 Edg/131.0.2903.86",
            "Edge on Windows",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36 OPR/115.0.0.0",
            "Opera on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 "
            "(KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36 Brave/131",
            "Brave on Windows",
        ),
        (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {CHROME} Safari/537.36 Vivaldi/7.0.3495.23",
            "Vivaldi on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.6 Mobile/15E148 DuckDuckGo/7 Safari/605.1.15",
            "DuckDuckGo on iOS",
        ),
        (
            "Mozilla/5.0 (X11; FreeBSD amd64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on FreeBSD",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
            "Internet Explorer on Windows",
        ),
        ("", "Unknown device"),
        ("curl/8.5.0", "curl"),
        ("\x01\x02 garbage", "Unknown browser"),
        ("x" * 10_000, "Unknown browser"),
        (ATTACK, "Unknown browser"),
        ("Mozilla/5.0 (Windows NT 10.0) Evil Corp Browser/1.0", "Unknown browser on Windows"),
    ],
)
def test_real_user_agents_get_short_human_labels(user_agent: str, label: str) -> None:
    assert device_label(user_agent) == label


HOSTILE = [
    ATTACK,
    "Mozilla/5.0 (compatible; Sapling Security Team - reply with your password Bot/2.0)",
    "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 CallNow555-0100/131.0 Safari/537.36",
    "Mozilla/5.0 (compatible; " + "A" * 100_000 + " Bot/1.0)",
    "Mozilla/5.0 (Windows NT 10.0) " + "Ｆｉｒｅｆｏｘ/130.0 ＵＲＧＥＮＴ/1.0",  # fullwidth
    "Mozilla/5.0 (compatible; \u202eevil-example-com\u202c Bot/1.0)",  # right-to-left override
    "Mozilla/5.0 (compatible; Chrome\u200b\u2066URGENT\u2069 Spider/1.0)",
    "Mozilla/5.0\r\nSubject: urgent\r\n\r\n(compatible; Evil Crawler/1.0)",
    "Mozilla/5.0 (compatible; <a href=//evil.example>Click here</a> Bot/1.0)",
    "<script>alert(1)</script>/1.0 (Windows NT 10.0)",
    "Mozilla/5.0 (compatible; Evil\x00Null Bot/1.0)",
    "Mozilla/5.0 (Linux; Android 14; URGENT call 555-0100 Build/X) Chrome/131.0 Mobile",
    "URGENT call 555-0100/1.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
]


@pytest.mark.parametrize("user_agent", HOSTILE)
def test_hostile_user_agents_get_only_words_of_the_vocabulary(user_agent: str) -> None:
    label = device_label(user_agent)
    assert is_vocabulary(label), label
    for word in ("URGENT", "555", "evil", "Evil", "<", "Click", "password", "\n", "\u202e"):
        assert word not in label


def test_the_vocabulary_is_closed_under_relabelling() -> None:
    names = {*BROWSERS.values(), *SYSTEMS.values()}
    assert all(relabel(name) == name for name in BROWSERS.values())
    for browser in BROWSERS.values():
        for system in SYSTEMS.values():
            label = f"{browser} on {system}"
            assert is_vocabulary(label) and relabel(label) == label
    assert all(name.isprintable() and len(name) < 40 for name in names)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        # Labels 0.7.0 stored: ua-parser's own family names, mapped into the vocabulary.
        ("Firefox on Windows", "Firefox on Windows"),
        ("Chrome on Mac OS X", "Chrome on macOS"),
        ("Chrome Mobile iOS on iOS", "Chrome Mobile on iOS"),
        ("Firefox on Ubuntu", "Firefox on Linux"),
        ("curl", "curl"),
        ("Unknown browser", "Unknown browser"),
        ("Unknown device", "Unknown device"),
        ("Server", "Server"),
        ("", ""),
        # ... and what an attacker put there.
        ("URGENT call 555-0100 or visit evil-example-com Bot", "Unknown browser"),
        ("URGENT call 555-0100 on Windows", "Unknown browser on Windows"),
        ("Firefox on URGENT call 555-0100", "Firefox"),
        ("<b>Chrome</b> on Windows", "Unknown browser on Windows"),
    ],
)
def test_stored_labels_are_read_through_the_vocabulary(stored: str, shown: str) -> None:
    assert relabel(stored) == shown
