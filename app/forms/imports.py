"""The import form: an archive, and who will see the posts made from it."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (old stubs)
from wtforms.validators import InputRequired

from app.forms.base import Form
from app.models import Visibility


class ImportForm(Form):
    archive = FileField(
        "Archive",
        description="The ZIP file from Instagram (JSON format) or from another Sapling.",
    )
    visibility = RadioField(
        "Who can see the imported posts",
        choices=[
            SelectChoice(Visibility.ONLY_ME.value, "Only me, for now: I'll choose post by post"),
            SelectChoice(Visibility.FOLLOWERS.value, "Only my followers"),
            SelectChoice(Visibility.PUBLIC.value, "Everyone"),
        ],
        default=Visibility.ONLY_ME.value,
        validators=[InputRequired(message="Choose who can see the imported posts.")],
    )
