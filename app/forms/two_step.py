"""Forms for two-step login and re-authentication."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.core.redirects import NEXT_MAX_LENGTH
from app.forms.auth import PASSWORD_LIMIT
from app.forms.base import Form

TRUST_LABEL = "Trust this browser for 30 days"


class TotpCodeForm(Form):
    code = StringField(
        "6-digit code from your authenticator app",
        validators=[DataRequired(), Length(max=12, message="Enter the 6 digits.")],
    )
    trust = BooleanField(TRUST_LABEL)


class RecoveryCodeForm(Form):
    recovery_code = StringField(
        "Recovery code",
        validators=[DataRequired(), Length(max=40, message="That is longer than a recovery code.")],
        description="One of the codes you saved, like ABCD-EFGH-JKLM-NPQR. Each works once.",
    )
    trust = BooleanField(TRUST_LABEL)


class ConfirmCodeForm(Form):
    code = StringField(
        "6-digit code from the app",
        validators=[DataRequired(), Length(max=12, message="Enter the 6 digits.")],
    )


class ReauthPasswordForm(Form):
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_LIMIT])
    next = HiddenField(validators=[Length(max=NEXT_MAX_LENGTH)])


class ReauthCodeForm(Form):
    code = StringField(
        "Or a code from your authenticator app",
        validators=[DataRequired(), Length(max=12, message="Enter the 6 digits.")],
    )
    next = HiddenField(validators=[Length(max=NEXT_MAX_LENGTH)])


class PasskeyNameForm(Form):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=60, message="Use at most 60 characters.")]
    )


class RecoveryDownloadForm(Form):
    codes = HiddenField(validators=[Length(max=400)])
