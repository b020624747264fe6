"""High-entropy random secrets (session ids, link tokens) and their stored digests.

They carry 256 bits of randomness, so a fast SHA-256 is enough to store them:
argon2 on every request would be a denial of service of our own making.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
