"""The words a device label may contain: a fixed vocabulary, never text from a request.

ua-parser's families are not a vocabulary: its generic rules capture words from
the User-Agent itself, so "(compatible; URGENT call 555-0100 Bot/1.0)" has the
family "URGENT call 555-0100 Bot". A label is therefore built only from the
constants below, looked up by family; anything else is "Unknown browser", and
the system is named only when it is one we know.

Labels that 0.7.0 stored (ua-parser's families joined by " on ") are read back
through the same lookup by the ``DeviceLabel`` column type, so no row written
before, or by an old process during an upgrade, can show anything else.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Dialect, String
from sqlalchemy.types import TypeDecorator

UNKNOWN_BROWSER = "Unknown browser"
UNKNOWN_DEVICE = "Unknown device"  # no User-Agent at all
SERVER = "Server"  # an event with no browser behind it (an operator, the worker)

# ua-parser family -> our name. Names map to themselves too (see _lookup).
BROWSERS = {
    "Chrome": "Chrome",
    "Chrome Mobile": "Chrome Mobile",
    "Chrome Mobile iOS": "Chrome Mobile",
    "Chrome Mobile WebView": "Android WebView",
    "HeadlessChrome": "Headless Chrome",
    "Chromium": "Chromium",
    "Firefox": "Firefox",
    "Firefox Beta": "Firefox",
    "Firefox Alpha": "Firefox",
    "Firefox Mobile": "Firefox Mobile",
    "Firefox iOS": "Firefox Mobile",
    "Safari": "Safari",
    "Mobile Safari": "Mobile Safari",
    "Mobile Safari UI/WKWebView": "In-app browser",
    "Edge": "Edge",
    "Edge Mobile": "Edge Mobile",
    "Opera": "Opera",
    "Opera GX": "Opera GX",
    "Opera Mobile": "Opera Mobile",
    "Opera Mini": "Opera Mini",
    "Opera Touch": "Opera Touch",
    "Samsung Internet": "Samsung Internet",
    "Brave": "Brave",
    "Vivaldi": "Vivaldi",
    "DuckDuckGo": "DuckDuckGo",
    "DuckDuckGo Mobile": "DuckDuckGo",
    "Yandex Browser": "Yandex Browser",
    "IE": "Internet Explorer",
    "IE Mobile": "Internet Explorer Mobile",
    "UC Browser": "UC Browser",
    "Whale": "Whale",
    "Amazon Silk": "Silk",
    "MiuiBrowser": "Mi Browser",
    "Huawei Browser": "Huawei Browser",
    "Ecosia Android": "Ecosia",
    "Ecosia iOS": "Ecosia",
    "Pale Moon": "Pale Moon",
    "Waterfox": "Waterfox",
    "SeaMonkey": "SeaMonkey",
    "Epiphany": "GNOME Web",
    "Konqueror": "Konqueror",
    "Qt Web Engine": "Qt WebEngine",
    "Electron": "Electron app",
    "Google": "Google app",
    "Facebook": "Facebook app",
    "Instagram": "Instagram app",
    "Thunderbird": "Thunderbird",
    "curl": "curl",
    "Wget": "Wget",
    "Python Requests": "Python Requests",
    "Python aiohttp": "Python aiohttp",
    "Go-http-client": "Go HTTP client",
}
SYSTEMS = {
    "Windows": "Windows",
    "Windows Phone": "Windows Phone",
    "Windows Mobile": "Windows Phone",
    "Mac OS X": "macOS",
    "Mac OS": "macOS",
    "iOS": "iOS",
    "iPadOS": "iPadOS",
    "Android": "Android",
    "Chrome OS": "ChromeOS",
    "Linux": "Linux",
    "Ubuntu": "Linux",
    "Kubuntu": "Linux",
    "Debian": "Linux",
    "Fedora": "Linux",
    "Red Hat": "Linux",
    "CentOS": "Linux",
    "Gentoo": "Linux",
    "Arch Linux": "Linux",
    "Linux Mint": "Linux",
    "openSUSE": "Linux",
    "SUSE": "Linux",
    "Slackware": "Linux",
    "Mandriva": "Linux",
    "FreeBSD": "FreeBSD",
    "OpenBSD": "OpenBSD",
    "NetBSD": "NetBSD",
    "KaiOS": "KaiOS",
}
_BROWSER_NAMES = {**BROWSERS, **{name: name for name in BROWSERS.values()}}
_SYSTEM_NAMES = {**SYSTEMS, **{name: name for name in SYSTEMS.values()}}
_SPECIAL = frozenset({"", UNKNOWN_BROWSER, UNKNOWN_DEVICE, SERVER})


def browser_name(family: str | None) -> str | None:
    return _BROWSER_NAMES.get(family or "")


def system_name(family: str | None) -> str | None:
    return _SYSTEM_NAMES.get(family or "")


def compose(browser: str | None, system: str | None) -> str:
    """ "Firefox on Windows", "Unknown browser on Android", "curl": vocabulary only."""
    browser = browser_name(browser) or UNKNOWN_BROWSER
    system = system_name(system)
    return f"{browser} on {system}" if system else browser


@lru_cache(maxsize=1024)
def relabel(stored: str) -> str:
    """A stored label in today's vocabulary: the special labels and what 0.7.0 wrote,
    "<ua-parser family>[ on <ua-parser os family>]", mapped word for word."""
    if stored in _SPECIAL:
        return stored
    browser, found, system = stored.rpartition(" on ")
    if not found:
        browser, system = stored, ""
    return compose(browser, system)


def is_vocabulary(label: str) -> bool:
    return relabel(label) == label


class DeviceLabel(TypeDecorator[str]):
    """A device label column: whatever is written or read comes out in the vocabulary."""

    impl = String(100)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else relabel(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else relabel(value)
