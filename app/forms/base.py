"""The base of every Sapling form: Flask-WTF's FlaskForm, with the calls we use typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from flask_wtf import FlaskForm


class FieldMessage(Protocol):
    """What a refusal carries to a form: a message, for one field or (None) the whole form.

    ``services.errors.FormError`` is one; forms name only its shape, since they sit below
    the services."""

    field: str | None
    message: str

    @property
    def positions(self) -> Mapping[int, str]:
        """For a field of several items (photos): messages about some of them, by place."""
        ...


class Form(FlaskForm):
    """CSRF-protected form. Subclass it; never read ``request.form`` directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        return bool(super().validate_on_submit(extra_validators))  # type: ignore[no-untyped-call]

    def is_submitted(self) -> bool:
        return bool(super().is_submitted())  # type: ignore[no-untyped-call]

    def add_error(self, error: FieldMessage) -> None:
        """Show a service's refusal next to the field it is about (or above the form)."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class ConfirmForm(Form):
    """A button that changes state: only the CSRF token travels."""
