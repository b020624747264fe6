"""Who is on the other end of a request, as services need to know it (no request objects)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

from app.models.device_label import UNKNOWN_DEVICE, compose


@dataclass(frozen=True)
class Client:
    ip: str | None
    # Words from app.models.device_label only: it is printed in emails and on the timeline.
    device_label: str
    # The random id in the browser's device cookie, if it sent one.
    device_id: str | None = None


@lru_cache(maxsize=1024)
def device_label(user_agent: str) -> str:
    """A short label such as "Firefox on Windows", from our vocabulary and never the header's
    own words: ua-parser's families can be text it captured from the User-Agent."""
    if not user_agent:
        return UNKNOWN_DEVICE
    result = parse(user_agent[:512])
    browser = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    if system == "iOS" and result.device and result.device.family == "iPad":
        system = "iPadOS"
    return compose(browser, system)
