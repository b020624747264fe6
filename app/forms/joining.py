"""Who may join: invite links, and moderators' answers to sign-ups waiting for them."""

from __future__ import annotations

from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms.base import Form
from app.models import MAX_INVITE_DAYS, MAX_INVITE_USES
from app.models import MAX_MODERATION_REASON as MAX_REASON


class InviteForm(Form):
    uses = IntegerField(
        "How many people may use it",
        default=1,
        description=f"From 1 to {MAX_INVITE_USES}.",
        validators=[
            InputRequired(message=f"Choose 1 to {MAX_INVITE_USES} uses."),
            NumberRange(1, MAX_INVITE_USES, message=f"Choose 1 to {MAX_INVITE_USES} uses."),
        ],
    )
    days = IntegerField(
        "Days it works for",
        default=7,
        description=f"From 1 to {MAX_INVITE_DAYS}.",
        validators=[
            InputRequired(message=f"Choose 1 to {MAX_INVITE_DAYS} days."),
            NumberRange(1, MAX_INVITE_DAYS, message=f"Choose 1 to {MAX_INVITE_DAYS} days."),
        ],
    )


class RejectSignupForm(Form):
    reject_reason = TextAreaField(
        "Why not?",
        description="Recorded in the moderation log, and sent to them by email.",
        validators=[
            DataRequired(message="Give a reason: it is recorded and sent to them."),
            Length(max=MAX_REASON, message=f"Keep the reason under {MAX_REASON} characters."),
        ],
    )
