"""Account settings forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.forms.auth import PASSWORD_LIMIT, NewPasswordForm
from app.forms.base import Form


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), PASSWORD_LIMIT]
    )


class ChangeEmailForm(Form):
    email = EmailField(
        "New email address",
        validators=[DataRequired(), Length(max=254, message="That email address is too long.")],
        description="We'll send a confirmation link there. Your address changes when you click it.",
    )
    password = PasswordField("Your password", validators=[DataRequired(), PASSWORD_LIMIT])


class ChangeUsernameForm(Form):
    username = StringField(
        "New username",
        validators=[DataRequired(), Length(max=60, message="Use at most 30 characters.")],
        description="Your old username stays reserved for you for 14 days.",
    )


class DeleteAccountForm(Form):
    username = StringField(
        "Type your username to confirm",
        validators=[DataRequired(), Length(max=60, message="That is not your username.")],
    )


class PreferencesForm(Form):
    remind_alt_text = BooleanField("Remind me to describe photos")
    show_sensitive_media = BooleanField("Always show sensitive media")
