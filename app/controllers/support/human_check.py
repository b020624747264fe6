"""The challenge on the sign-up, login and reset forms: made when risk is raised, checked here."""

from __future__ import annotations

from app.forms.auth import EmailForm, LoginForm, SignupForm
from app.services.security import challenges
from app.services.security.challenges import Challenge


def challenge_if(needed: bool) -> Challenge | None:
    return challenges.new() if needed else None


def challenge_passed(form: LoginForm | SignupForm | EmailForm) -> bool:
    """Either answer will do: the proof-of-work (the page's script) or the CAPTCHA (a person)."""
    if challenges.passed(
        form.captcha_id.data or "", form.captcha_answer.data or "", form.altcha.data or ""
    ):
        return True
    form.captcha_answer.errors = ["Type the 6 digits from the picture or the recording."]
    return False
