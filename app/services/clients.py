"""Who is on the other end of a request, as services need to know it (no request objects)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse


@dataclass(frozen=True)
class Client:
    ip: str | None
    device_label: str
    # The random id in the browser's device cookie, if it sent one.
    device_id: str | None = None


@lru_cache(maxsize=1024)
def device_label(user_agent: str) -> str:
    """A short, human label such as "Firefox on Windows" (never the full user-agent string)."""
    if not user_agent:
        return "Unknown device"
    result = parse(user_agent[:512])
    browser = result.user_agent.family if result.user_agent else "Unknown browser"
    system = result.os.family if result.os else ""
    if browser == "Other":
        browser = "Unknown browser"
    label = f"{browser} on {system}" if system and system != "Other" else browser
    return label[:100]
