"""Editing one's profile and privacy."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (old stubs)
from wtforms.validators import Length

from app.forms.base import Form
from app.models import Audience


class ProfileForm(Form):
    display_name = StringField(
        "Name", validators=[Length(max=100, message="Use at most 50 characters.")]
    )
    bio = TextAreaField(
        "Bio",
        validators=[Length(max=300, message="Keep your bio under 150 characters.")],
        description="Up to 150 characters. #hashtags and @mentions become links.",
    )
    website = URLField(
        "Website",
        validators=[Length(max=200, message="Use at most 200 characters.")],
        description="An address starting with https:// or http://.",
    )
    avatar = FileField(
        "Profile photo", description="JPEG, PNG, WebP or HEIC. We crop it to a square."
    )
    remove_avatar = BooleanField("Remove my profile photo")


class PrivacyForm(Form):
    is_private = BooleanField("Private account: you approve each new follower")
    hide_follow_lists = BooleanField("Hide my followers and following lists")
    comment_audience = RadioField(
        "Who can comment on my posts",
        choices=[
            SelectChoice(Audience.EVERYONE.value, "Everyone"),
            SelectChoice(Audience.FOLLOWERS.value, "My followers"),
            SelectChoice(Audience.NOBODY.value, "No one"),
        ],
    )
    mention_audience = RadioField(
        "Who can mention me",
        choices=[
            SelectChoice(Audience.EVERYONE.value, "Everyone"),
            SelectChoice(Audience.FOLLOWING.value, "People I follow"),
            SelectChoice(Audience.NOBODY.value, "No one"),
        ],
    )
