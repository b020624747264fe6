"""The consent form an app's authorization request shows."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField

from app.forms.base import Form


class ConsentForm(Form):
    keep = BooleanField(
        "Keep me signed in on this app",
        description="The app may renew its access without asking again, for up to 60 days "
        "from its last use. Otherwise it must ask again after a day.",
    )
    allow = SubmitField("Allow")
    deny = SubmitField("Deny")
