"""A sample form for the component gallery, so field errors can be seen and tested."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from app.forms.base import Form


class SampleForm(Form):
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(max=50)],
        description="Shown on your profile. Up to 50 characters.",
    )
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    bio = TextAreaField("Bio", validators=[Length(max=150)], description="Up to 150 characters.")
    private = BooleanField("Private account")
    submit = SubmitField("Save")
