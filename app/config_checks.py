"""What production refuses to start with: weak secrets, plain HTTP, passkey settings that
cannot work. Pure functions of the settings, so ``ProductionConfig`` stays a list of rules.

Every message names the setting and what to do, and never repeats the secret: these
messages end up in service logs and CI output.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import urlsplit

GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
MIN_SECRET_LENGTH = 32
# A character-frequency (Shannon) estimate of a key's information, in bits. A truly random
# 32-digit hex key (128 bits, the shortest key allowed) scores 116 on average and about 92
# at worst (200,000 draws), because a short sample under-represents its alphabet; 43-character
# token_urlsafe(32) keys score 176 or more. 80 bits lies below every real random key and
# above keys made of a few characters ("ab" * 20 scores 40, "internal-" + "k" * 40 scores 60).
MIN_ENTROPY_BITS = 80
# Folded to lowercase letters and digits, a key containing one of these is a template's
# stand-in (".env.example", the docs, TestingConfig), never something a generator made.
_PLACEHOLDER_MARKERS = (
    "changeme",
    "replaceme",
    "placeholder",
    "notforproduction",
    "yoursecret",
    "secretkeygoeshere",
)


def secret_problem(value: str) -> str | None:
    """Why ``value`` is not fit to be a production secret, or None if it is."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"must be at least {MIN_SECRET_LENGTH} characters long"
    folded = re.sub(r"[^a-z0-9]", "", value.casefold())
    if any(marker in folded for marker in _PLACEHOLDER_MARKERS):
        return "is a placeholder from the documentation or a template, not a secret"
    if len(set(value)) == 1:
        return "is one character repeated"
    if _period(value) is not None:
        return "is a shorter string repeated, so most of it can be guessed from the start"
    if shannon_bits(value) < MIN_ENTROPY_BITS:
        return (
            f"has too little randomness (below about {MIN_ENTROPY_BITS} bits by a "
            "character-frequency estimate): it is made of too few different characters"
        )
    return None


def shannon_bits(value: str) -> float:
    """Length times the Shannon entropy of the key's own character frequencies."""
    counts = Counter(value)
    total = len(value)
    return -sum(n * math.log2(n / total) for n in counts.values())


def _period(value: str) -> int | None:
    """The shortest p <= len/2 with value[i] == value[i + p] throughout, if there is one."""
    for period in range(1, len(value) // 2 + 1):
        if value[period:] == value[:-period]:
            return period
    return None


def secret_refusal(name: str, problem: str) -> str:
    return f"{name} {problem}. Generate a random one with: {GENERATE}"


def https_origin(url: str) -> tuple[str, str] | None:
    """(origin, host) of an https:// URL with a host and no credentials; None otherwise."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return f"https://{parts.netloc.lower()}", parts.hostname


def passkey_problem(base: tuple[str, str], rp_id: str, origins: list[str]) -> str | None:
    """Why passkeys could not work on BASE_URL (its ``https_origin``) with these settings.

    Browsers accept an RP ID that is the page's host or a parent domain of it, and the
    app accepts only the listed origins: a mismatch makes every passkey ceremony fail,
    which users would report long after the deploy. So production refuses it at start.
    """
    base_origin, base_host = base
    if not _within(base_host, rp_id):
        return (
            f"WEBAUTHN_RP_ID ({rp_id}) must be BASE_URL's host ({base_host}) or a parent "
            "domain of it. Leave it unset to use BASE_URL's host."
        )
    if base_origin not in origins:
        return (
            f"WEBAUTHN_ORIGINS must include BASE_URL's origin ({base_origin}). "
            "Leave it unset to use exactly that."
        )
    for origin in origins:
        parsed = https_origin(origin)
        if parsed is None or parsed[0] != origin or not _within(parsed[1], rp_id):
            return (
                f"WEBAUTHN_ORIGINS may list only https:// origins on {rp_id} "
                f"(WEBAUTHN_RP_ID), such as BASE_URL's {base_origin}; {origin!r} is not one."
            )
    return None


def _within(host: str, domain: str) -> bool:
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
