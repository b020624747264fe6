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
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, Optional

from app.forms.base import FieldMessage, Form
from app.models import (
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_COMMENT,
    MAX_CONTENT_WARNING,
    MAX_PHOTOS,
    MAX_REPORT_DETAILS,
    PhotoShape,
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


class NumberedList(FieldList):  # type: ignore[type-arg]  # (generic in the stubs only)
    """Always ``max_entries`` entries, entry n read from ``<name>-<n>``, so a description stays
    with the photo its number names. FieldList packs whatever numbers arrive into its first
    entries: a request carrying only ``alt_texts-1`` would describe the first photo with it."""

    sent: frozenset[int] = frozenset()  # the numbers the request carried

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if not formdata:
            super().process(formdata, data, extra_filters)
            return
        prefix = f"{self.name}{self._separator}"  # type: ignore[attr-defined]  # (private)
        self.sent = frozenset(
            int(key[len(prefix) :])
            for key in formdata
            # ASCII digits only: "²" is a digit to isdigit(), and not to int().
            if key.startswith(prefix)
            and key[len(prefix) :].isascii()
            and key[len(prefix) :].isdigit()
        )
        self.last_index = -1
        self.entries = []
        self.object_data = data
        for index in range(self.max_entries or 0):
            self._add_entry(formdata, index=index)  # type: ignore[attr-defined]  # (private)


def _visibility(*validators: Any) -> RadioField:
    """Who sees the post, on both forms: the new-post form always sends it; an edit that
    leaves it out keeps the post's."""
    return RadioField(
        "Who can see it",
        choices=[
            SelectChoice(Visibility.PUBLIC.value, "Everyone"),
            SelectChoice(Visibility.FOLLOWERS.value, "Only my followers"),
            SelectChoice(Visibility.ONLY_ME.value, "Only me"),
        ],
        default=Visibility.PUBLIC.value,
        validators=list(validators),
    )


class NewPostForm(SensitiveFields, Form):
    photos = MultipleFileField(
        "Photos",
        description=f"Up to {MAX_PHOTOS} photos: JPEG, PNG, WebP or HEIC, up to 20 MB each. "
        "Location and camera details are removed.",
    )
    alt_texts = NumberedList(
        StringField("Description", validators=[ALT]),
        min_entries=MAX_PHOTOS,
        max_entries=MAX_PHOTOS,
    )
    shape = RadioField(
        "Shape",
        choices=[
            SelectChoice(PhotoShape.ORIGINAL.value, "Original: each photo keeps its shape"),
            SelectChoice(PhotoShape.SQUARE.value, "Square: cropped from the centre"),
        ],
        default=PhotoShape.ORIGINAL.value,
    )
    caption = TextAreaField("Caption", validators=[CAPTION])
    visibility = _visibility()
    turn_off_comments = BooleanField("Turn off comments")
    # Set by compose.js when the person was asked about missing descriptions before sharing
    # and chose to share anyway: no second reminder after posting.
    alt_reminder_seen = HiddenField(default="")

    def __init__(
        self, *args: Any, video_limits: tuple[int, int] | None = None, **kwargs: Any
    ) -> None:
        """``video_limits``: (bytes, seconds) where this server takes videos, for the hint."""
        super().__init__(*args, **kwargs)
        # Refusals about one photo, by its place (from 0): shown beside that photo.
        self.photo_errors: dict[int, list[str]] = {}
        if video_limits:
            size, seconds = video_limits
            self.photos.description = (
                f"Up to {MAX_PHOTOS} photos and videos: JPEG, PNG, WebP or HEIC photos up to "
                f"20 MB each; MP4, MOV or WebM videos up to {size // 2**20:,} MB and "
                f"{seconds:,} seconds. Location and camera details are removed."
            )

    def descriptions(self, count: int) -> list[str]:
        """The descriptions of the first ``count`` photos, in order ("" where none was sent)."""
        sent = [entry.data or "" for entry in self.alt_texts][:count]
        return sent + [""] * (count - len(sent))

    def add_error(self, error: FieldMessage) -> None:
        for position, message in error.positions.items():
            self.photo_errors.setdefault(position, []).append(message)
        super().add_error(error)


class EditPostForm(SensitiveFields, Form):
    caption = TextAreaField("Caption", validators=[CAPTION])
    alt_texts = NumberedList(
        StringField("Description", validators=[ALT]), min_entries=0, max_entries=MAX_PHOTOS
    )
    visibility = _visibility(Optional())

    def chosen_visibility(self) -> Visibility | None:
        """The audience chosen, or None when the request did not say (keep the post's)."""
        sent = self.visibility.raw_data
        return Visibility(self.visibility.data) if sent and sent[0] else None

    def descriptions(self, photo_ids: list[int]) -> dict[int, str]:
        """Each photo's new description, by photo id, for the photos whose field was sent."""
        return {
            photo_id: self.alt_texts.entries[n].data or ""
            for n, photo_id in enumerate(photo_ids)
            if n in self.alt_texts.sent
        }


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
