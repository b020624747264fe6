"""Moderators' forms. Several share a page, so each names its fields after itself."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms.base import Form
from app.models import MAX_BLOCK_DAYS
from app.models import MAX_MODERATION_REASON as MAX_REASON


def _reason(label: str, hint: str) -> Any:
    return TextAreaField(
        label,
        description=hint,
        validators=[
            DataRequired(message="Give a reason: it is recorded with the decision."),
            Length(max=MAX_REASON, message=f"Keep the reason under {MAX_REASON} characters."),
        ],
    )


RECORDED = "Recorded in the moderation log with your name."


class DismissForm(Form):
    dismiss_reason = _reason("Why dismiss it?", RECORDED)


class RemoveForm(Form):
    remove_reason = _reason("Why remove it?", RECORDED)


class BlockForm(Form):
    block_days = IntegerField(
        "Days",
        description=f"From 1 to {MAX_BLOCK_DAYS}. The block lifts by itself afterwards.",
        validators=[
            Optional(),
            NumberRange(1, MAX_BLOCK_DAYS, message=f"Choose 1 to {MAX_BLOCK_DAYS} days."),
        ],
    )
    block_permanent = BooleanField("Block permanently instead")
    block_reason = _reason(
        "Why block them?", "Recorded, and shown to them by email and when they try to log in."
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if valid and not self.block_permanent.data and self.block_days.data is None:
            self.block_days.errors = [f"Choose 1 to {MAX_BLOCK_DAYS} days, or a permanent block."]
            return False
        return valid

    @property
    def days(self) -> int | None:
        """None for a permanent block."""
        return None if self.block_permanent.data else self.block_days.data


class UnblockForm(Form):
    unblock_reason = _reason("Why lift the block?", RECORDED)


class DeleteAccountForm(Form):
    delete_reason = _reason(
        "Why delete the account?",
        "Recorded. The owner is emailed and cannot restore the account by logging in.",
    )
