"""Forms for posts, comments and reports. Services apply the rules; these bound the input."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (old stubs)
from wtforms.validators import DataRequired, Length

from app.forms.base import Form
from app.models import (
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_COMMENT,
    MAX_CONTENT_WARNING,
    MAX_PHOTOS,
    MAX_REPORT_DETAILS,
    ReportReason,
    Visibility,
)

# Generous bounds: the service counts characters after cleaning and gives the real message.
CAPTION = Length(max=MAX_CAPTION * 2, message=f"Keep the caption under {MAX_CAPTION:,} characters.")
ALT = Length(
    max=MAX_ALT_TEXT * 2, message=f"Keep each description under {MAX_ALT_TEXT:,} characters."
)

# A sensitive post's reason: cleaned and counted by the service, like a description.
WARNING = Length(
    max=MAX_CONTENT_WARNING * 2,
    message=f"Keep the reason under {MAX_CONTENT_WARNING:,} characters.",
)


class SensitiveFields:
    """The sensitive mark and its reason, on both the new-post and edit forms."""

    # (Not "photos" in the label: the new-post form's file field is found by that word.)
    sensitive = BooleanField("Mark as sensitive: covered until people choose to see it")
    content_warning = StringField(
        "Why it is sensitive (optional)",
        validators=[WARNING],
        description=f'Shown on the cover, e.g. "spiders". Up to {MAX_CONTENT_WARNING} '
        "characters. Writing one marks the post sensitive.",
    )


def _alt_list(count: int) -> Any:
    return FieldList(
        StringField("Description", validators=[ALT]), min_entries=count, max_entries=MAX_PHOTOS
    )


class NewPostForm(SensitiveFields, Form):
    photos = MultipleFileField(
        "Photos",
        description=f"Up to {MAX_PHOTOS} photos: JPEG, PNG, WebP or HEIC, up to 20 MB each. "
        "Location and camera details are removed.",
    )
    alt_texts = _alt_list(MAX_PHOTOS)
    caption = TextAreaField("Caption", validators=[CAPTION])
    visibility = RadioField(
        "Who can see it",
        choices=[
            SelectChoice(Visibility.PUBLIC.value, "Everyone"),
            SelectChoice(Visibility.FOLLOWERS.value, "Only my followers"),
        ],
        default=Visibility.PUBLIC.value,
    )
    turn_off_comments = BooleanField("Turn off comments")
    # Set by posts.js when the person was asked about missing descriptions before sharing
    # and chose to share anyway: no second reminder after posting.
    alt_reminder_seen = HiddenField(default="")


class EditPostForm(SensitiveFields, Form):
    caption = TextAreaField("Caption", validators=[CAPTION])
    alt_texts = _alt_list(0)


class CommentForm(Form):
    body = TextAreaField(
        "Add a comment",
        validators=[
            DataRequired(message="Write something first."),
            Length(max=MAX_COMMENT * 2, message=f"Keep comments under {MAX_COMMENT:,} characters."),
        ],
    )


class ReportForm(Form):
    reason = SelectField(
        "What's wrong?",
        choices=[SelectChoice(reason.value, reason.label) for reason in ReportReason],
        validators=[DataRequired(message="Choose a reason.")],
    )
    details = TextAreaField(
        "Anything else our moderators should know? (optional)",
        validators=[Length(max=MAX_REPORT_DETAILS * 2, message="Keep it under 1,000 characters.")],
    )
