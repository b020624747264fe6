"""The error services raise when a person's input cannot be accepted."""

from __future__ import annotations

from collections.abc import Sequence


class FormError(ValueError):
    """A message for one form field (or for the whole form when ``field`` is None).

    One error can carry several refusals (``all_of``), so a form shows every field's
    problem in one answer; caught, it reads as the first, and ``errors`` has them all.

    ``positions``: for a field of several items (a post's photos), which items the message
    is about, counting from 0, each with its own message; the form shows those beside the
    items and ``message`` beside the field.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        positions: dict[int, str] | None = None,
        *,
        more: Sequence[FormError] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.positions = positions or {}
        self.errors: list[FormError] = [self, *more]

    @classmethod
    def all_of(cls, problems: Sequence[FormError]) -> FormError:
        first, *more = problems
        return cls(first.message, first.field, first.positions, more=more)
