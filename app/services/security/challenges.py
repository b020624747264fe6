"""The check a form shows when risk is raised: a proof-of-work, with the CAPTCHA behind it.

With JavaScript the page's script solves the proof-of-work and the visitor
sees only "checking..."; without it (or without Web Crypto) the image and
audio CAPTCHA are there as before. Either answer passes. Both are made
together, so the page works whichever the browser can do.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.security import captcha, proof_of_work


@dataclass(frozen=True)
class Challenge:
    captcha_id: str
    proof_of_work: str  # the ALTCHA challenge, as JSON, for the page's script


@dataclass(frozen=True)
class Answer:
    """What a form sent back: the CAPTCHA's id and the digits typed, or the page's script's
    proof-of-work (empty when it sent none)."""

    captcha_id: str = ""
    captcha_answer: str = ""
    proof_of_work: str = ""


def new() -> Challenge:
    return Challenge(captcha.new_challenge(), proof_of_work.new_challenge())


def passed(answer: Answer) -> bool:
    """One right answer, to either; each challenge is used up by its first answer."""
    if answer.proof_of_work and proof_of_work.verify(answer.proof_of_work):
        captcha.discard(answer.captcha_id)  # the picture that was not needed goes too
        return True
    return captcha.check(answer.captcha_id, answer.captcha_answer)
