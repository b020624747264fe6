"""The security timeline: what happened to an account, when, from where."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow
from app.models.device_label import DeviceLabel, relabel


class SecurityEventKind(enum.StrEnum):
    SIGNED_UP = "signed_up"
    EMAIL_VERIFIED = "email_verified"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    NEW_DEVICE = "new_device"
    LOGGED_OUT = "logged_out"
    SESSION_REVOKED = "session_revoked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    PASSWORD_SET_BY_OPERATOR = "password_set_by_operator"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    EMAIL_CHANGE_CANCELLED = "email_change_cancelled"
    USERNAME_CHANGED = "username_changed"
    TOTP_ENABLED = "totp_enabled"
    TOTP_DISABLED = "totp_disabled"
    RECOVERY_CODES_GENERATED = "recovery_codes_generated"
    RECOVERY_CODE_USED = "recovery_code_used"
    PASSKEY_ADDED = "passkey_added"
    PASSKEY_REMOVED = "passkey_removed"
    PASSKEY_RENAMED = "passkey_renamed"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    BROWSER_TRUSTED = "browser_trusted"
    BROWSER_UNTRUSTED = "browser_untrusted"
    REAUTHENTICATED = "reauthenticated"
    MFA_RESET_BY_OPERATOR = "mfa_reset_by_operator"
    ACCOUNT_DELETION_REQUESTED = "account_deletion_requested"
    ACCOUNT_RESTORED = "account_restored"
    ADMIN_GRANTED = "admin_granted"
    ADMIN_REVOKED = "admin_revoked"


class SecurityEvent(Base):
    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[SecurityEventKind] = mapped_column(string_enum(SecurityEventKind, 40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    device_label: Mapped[str] = mapped_column(DeviceLabel(), default="")
    detail: Mapped[str] = mapped_column(String(200), default="")


# Kinds whose detail is a device label (the session or browser acted on), and kinds whose
# detail 0.7.0 filled with a passkey's name: text typed into a request, shown to no one now.
DEVICE_DETAIL = frozenset(
    {
        SecurityEventKind.NEW_DEVICE,
        SecurityEventKind.LOGGED_OUT,
        SecurityEventKind.SESSION_REVOKED,
        SecurityEventKind.BROWSER_TRUSTED,
        SecurityEventKind.BROWSER_UNTRUSTED,
    }
)
NO_DETAIL = frozenset(
    {
        SecurityEventKind.PASSKEY_ADDED,
        SecurityEventKind.PASSKEY_RENAMED,
        SecurityEventKind.PASSKEY_REMOVED,
    }
)
_OTHER_SESSIONS = re.compile(r"\d{1,9} other session\(s\)")


def shown_detail(kind: SecurityEventKind, detail: str) -> str:
    """An event's detail as the timeline and the export show it, rows from 0.7.0 included."""
    if kind in NO_DETAIL:
        return ""
    if kind in DEVICE_DETAIL and not _OTHER_SESSIONS.fullmatch(detail):
        return relabel(detail)
    return detail
