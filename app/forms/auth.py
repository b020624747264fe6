"""Sign-up, log-in and recovery forms. Length limits here are generous: services apply the rules."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.core.redirects import NEXT_MAX_LENGTH
from app.forms.base import Form

PASSWORD_LIMIT = Length(max=1024, message="Use at most 1024 characters.")


class CaptchaFields:
    """Shown only when risk is raised; the controller decides whether to check them.

    ``altcha`` carries the proof-of-work solution that the page's script fills in.
    """

    altcha = HiddenField(validators=[Length(max=4000)])
    captcha_id = HiddenField(validators=[Length(max=64)])
    captcha_answer = StringField(
        "Type the 6 digits you see or hear",
        validators=[Length(max=20, message="Type just the 6 digits.")],
    )


class SignupForm(CaptchaFields, Form):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=60, message="Use at most 30 characters.")],
        description="3–30 letters a–z, digits, dots or underscores. Others will see it.",
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254, message="That email address is too long.")],
        description="We'll send a link to confirm it. It is never shown to anyone.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), PASSWORD_LIMIT],
        description="At least 12 characters. A few unrelated words make a strong password.",
    )
    # Hidden from people by CSS; bots that fill every field reveal themselves here.
    website = StringField("Leave this field empty", validators=[Length(max=200)])


class LoginForm(CaptchaFields, Form):
    identifier = StringField(
        "Username or email",
        validators=[
            DataRequired(),
            Length(max=254, message="That is too long for a username or email."),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LIMIT])
    remember = BooleanField("Keep me signed in for 30 days on this device")
    next = HiddenField(validators=[Length(max=NEXT_MAX_LENGTH)])


class EmailForm(CaptchaFields, Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254, message="That email address is too long.")],
    )


class NewPasswordForm(Form):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), PASSWORD_LIMIT],
        description="At least 12 characters. A few unrelated words make a strong password.",
    )


class ResendForm(Form):
    """The "send the link again" button in the unverified banner."""

    next = HiddenField(validators=[Length(max=NEXT_MAX_LENGTH)])
