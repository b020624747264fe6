"""The theme switch: System (follow the device), Light or Dark."""

from __future__ import annotations

from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (old stubs)
from wtforms.validators import InputRequired, Length

from app.core.redirects import NEXT_MAX_LENGTH
from app.forms.base import Form

# (value, label) in the order the switch shows them; "system" is the default, no cookie.
THEMES = (("system", "System"), ("light", "Light"), ("dark", "Dark"))
PINNED_THEMES = frozenset({"light", "dark"})


class ThemeForm(Form):
    theme = RadioField(
        "Theme",
        choices=[SelectChoice(value, label) for value, label in THEMES],
        validators=[InputRequired(message="Choose System, Light or Dark.")],
        validate_choice=True,
    )
    next = HiddenField(validators=[Length(max=NEXT_MAX_LENGTH)])
