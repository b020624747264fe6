"""Where a `next` parameter may send someone: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

# Long enough for an app's consent request (its state, PKCE challenge and redirect), which
# comes back whole after a login or a confirmation.
NEXT_MAX_LENGTH = 2000


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a same-site path such as ``/settings?tab=2``; ``default`` otherwise.

    Refuses absolute URLs, scheme-relative ``//evil.example``, backslash tricks
    (``/\\evil.example``, which browsers read as ``//``) and control characters.
    """
    if not target or len(target) > NEXT_MAX_LENGTH:
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
