"""The error services raise when a person's input cannot be accepted."""

from __future__ import annotations


class FormError(ValueError):
    """A message for one form field (or for the whole form when ``field`` is None)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
