"""The challenge on the sign-up, login and reset forms: made when risk is raised, checked here."""

from __future__ import annotations

from app.forms.auth import EmailForm, LoginForm, SignupForm
from app.services.security import challenges
from app.services.security.challenges import Challenge

ChallengeForm = LoginForm | SignupForm | EmailForm


def challenge_if(needed: bool) -> Challenge | None:
    return challenges.new() if needed else None


def answer_in(form: ChallengeForm) -> challenges.Answer:
    """Either answer will do: the proof-of-work (the page's script) or the CAPTCHA (a person)."""
    return challenges.Answer(
        form.captcha_id.data or "", form.captcha_answer.data or "", form.altcha.data or ""
    )


def challenge_passed(form: ChallengeForm) -> bool:
    if challenges.passed(answer_in(form)):
        return True
    refuse_answer(form)
    return False


def refuse_answer(form: ChallengeForm) -> None:
    form.captcha_answer.errors = ["Type the 6 digits from the picture or the recording."]
