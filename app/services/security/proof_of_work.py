"""A proof-of-work challenge in ALTCHA's format, solved by the page's own script.

The audio CAPTCHA can be solved by matching it against the ``captcha``
package's bundled voice files; a proof-of-work has nothing to match, only work
to do. It is ALTCHA's v2 challenge in its deterministic mode: find the counter
(at most POW_MAX_NUMBER) whose PBKDF2-SHA-256 key, POW_COST iterations, starts
with the given prefix. Browsers compute PBKDF2 natively with Web Crypto, so
app/static/js/proof-of-work.js is small and needs no third-party code.

The challenge is signed with an HMAC key derived from SECRET_KEY (so its cost
cannot be lowered), expires after POW_TTL_SECONDS, and is recorded in the
shared counters when issued and taken from them on first use, so a solution
works once and only for a challenge we handed out.
"""

from __future__ import annotations

import json
import secrets
import time

import altcha
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.services.security import expiring_store

ALGORITHM = "PBKDF2/SHA-256"
MAX_PAYLOAD_LENGTH = 4000
# What a hostile payload can make the altcha package raise before it says "no".
_MALFORMED = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)


def _keys() -> tuple[bytes, bytes]:
    """One key signs the challenge, the other the expected answer (so checking is cheap)."""
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=64,
        salt=b"sapling-proof-of-work",
        info=b"altcha challenge and key signatures",
    ).derive(str(current_app.config["SECRET_KEY"]).encode())
    return material[:32], material[32:]


def _name(nonce: str) -> str:
    return f"pow:{nonce}"


def new_challenge(now: float | None = None) -> str:
    """A fresh challenge as JSON, for the page's script (``now`` lets tests make a stale one)."""
    config = current_app.config
    ttl = int(config["POW_TTL_SECONDS"])
    issued = time.time() if now is None else now
    challenge_secret, key_secret = _keys()
    challenge = altcha.create_challenge(
        ALGORITHM,
        int(config["POW_COST"]),
        counter=secrets.randbelow(int(config["POW_MAX_NUMBER"]) + 1),
        expires_at=int(issued + ttl),
        hmac_secret=challenge_secret,
        hmac_key_secret=key_secret,
    )
    expiring_store.put(_name(challenge.parameters.nonce), "1", ttl)
    return json.dumps(challenge.to_dict(), separators=(",", ":"))


def verify(payload: str) -> bool:
    """True once for a solution to a live challenge of ours; replays and forgeries are False."""
    if not payload or len(payload) > MAX_PAYLOAD_LENGTH:
        return False
    challenge_secret, key_secret = _keys()
    try:
        result = altcha.verify_solution(payload, challenge_secret, hmac_key_secret=key_secret)
        if not result.verified:
            return False
        nonce = altcha.Payload.from_base64(payload).challenge.parameters.nonce
    except _MALFORMED:
        return False
    # The signature covers the nonce, so it is one we issued; taking it makes this the only use.
    return isinstance(nonce, str) and expiring_store.take(_name(nonce)) is not None
