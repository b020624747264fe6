"""The error services raise when a person's input cannot be accepted."""

from __future__ import annotations


class FormError(ValueError):
    """A message for one form field (or for the whole form when ``field`` is None).

    ``positions``: for a field of several items (a post's photos), which items the message
    is about, counting from 0, each with its own message; the form shows those beside the
    items and ``message`` beside the field.
    """

    def __init__(
        self, message: str, field: str | None = None, positions: dict[int, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.positions = positions or {}
