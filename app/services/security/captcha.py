"""A self-hosted CAPTCHA: an image with an audio alternative, from the `captcha` package.

Each challenge is six digits (the audio voice reads digits), kept server-side
for a few minutes under a random id, and used up by the first answer, right or
wrong. It works without JavaScript: the form carries the id, the page shows
the image and an audio player. It is the no-JavaScript path behind the
proof-of-work (services/security/challenges.py); the recording is distorted per
challenge (services/security/captcha_audio.py) so the package's own voice files don't
match it sample for sample.
"""

from __future__ import annotations

import hmac
import secrets

from captcha.image import ImageCaptcha

from app.services.security import expiring_store
from app.services.security.captcha_audio import VariedAudioCaptcha

TTL_SECONDS = 300
WIDTH, HEIGHT = 280, 90


def new_challenge() -> str:
    challenge_id = secrets.token_urlsafe(18)
    answer = "".join(secrets.choice("0123456789") for _ in range(6))
    expiring_store.put(f"captcha:{challenge_id}", answer, TTL_SECONDS)
    return challenge_id


def _answer(challenge_id: str) -> str | None:
    if not challenge_id or len(challenge_id) > 64:
        return None
    return expiring_store.get(f"captcha:{challenge_id}")


def image(challenge_id: str) -> bytes | None:
    answer = _answer(challenge_id)
    return ImageCaptcha(width=WIDTH, height=HEIGHT).generate(answer).getvalue() if answer else None


def audio(challenge_id: str) -> bytes | None:
    answer = _answer(challenge_id)
    return bytes(VariedAudioCaptcha().generate(answer)) if answer else None


def check(challenge_id: str, attempt: str) -> bool:
    """True once for the right answer; any answer uses the challenge up."""
    if not challenge_id or len(challenge_id) > 64:
        return False
    answer = expiring_store.take(f"captcha:{challenge_id}")
    attempt = "".join(ch for ch in attempt if ch.isdigit())
    return answer is not None and hmac.compare_digest(answer, attempt)


def discard(challenge_id: str) -> None:
    if challenge_id and len(challenge_id) <= 64:
        expiring_store.delete(f"captcha:{challenge_id}")
