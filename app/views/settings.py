"""View-models for the settings pages: what each row shows, worded for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import SecurityEvent, SecurityEventKind, UserSession
from app.models.security_event import shown_detail

EVENT_LABELS = {
    SecurityEventKind.SIGNED_UP: "Account created",
    SecurityEventKind.EMAIL_VERIFIED: "Email address confirmed",
    SecurityEventKind.LOGIN_SUCCEEDED: "Logged in",
    SecurityEventKind.LOGIN_FAILED: "Failed login attempt",
    SecurityEventKind.NEW_DEVICE: "Logged in from a new device",
    SecurityEventKind.LOGGED_OUT: "Logged out",
    SecurityEventKind.SESSION_REVOKED: "Session signed out",
    SecurityEventKind.PASSWORD_CHANGED: "Password changed",
    SecurityEventKind.PASSWORD_RESET_REQUESTED: "Password reset requested",
    SecurityEventKind.PASSWORD_RESET: "Password reset",
    SecurityEventKind.PASSWORD_SET_BY_OPERATOR: "Password set by an operator",
    SecurityEventKind.EMAIL_CHANGE_REQUESTED: "Email change requested",
    SecurityEventKind.EMAIL_CHANGED: "Email address changed",
    SecurityEventKind.EMAIL_CHANGE_CANCELLED: "Email change cancelled",
    SecurityEventKind.USERNAME_CHANGED: "Username changed",
    SecurityEventKind.TOTP_ENABLED: "Authenticator app turned on",
    SecurityEventKind.TOTP_DISABLED: "Authenticator app turned off",
    SecurityEventKind.RECOVERY_CODES_GENERATED: "New recovery codes made",
    SecurityEventKind.RECOVERY_CODE_USED: "Recovery code used",
    SecurityEventKind.PASSKEY_ADDED: "Passkey added",
    SecurityEventKind.PASSKEY_REMOVED: "Passkey removed",
    SecurityEventKind.PASSKEY_RENAMED: "Passkey renamed",
    SecurityEventKind.SECOND_FACTOR_FAILED: "Failed second-step attempt",
    SecurityEventKind.BROWSER_TRUSTED: "Browser trusted for 30 days",
    SecurityEventKind.BROWSER_UNTRUSTED: "Browser no longer trusted",
    SecurityEventKind.REAUTHENTICATED: "Identity confirmed for a sensitive change",
    SecurityEventKind.MFA_RESET_BY_OPERATOR: "Two-step login reset by an administrator",
    SecurityEventKind.ACCOUNT_DELETION_REQUESTED: "Account deleted (restorable for a while)",
    SecurityEventKind.ACCOUNT_RESTORED: "Account restored by logging in",
    SecurityEventKind.ADMIN_GRANTED: "Moderator (admin) role granted",
    SecurityEventKind.ADMIN_REVOKED: "Moderator (admin) role removed",
}
WARNING_KINDS = {
    SecurityEventKind.LOGIN_FAILED,
    SecurityEventKind.NEW_DEVICE,
    SecurityEventKind.SECOND_FACTOR_FAILED,
    SecurityEventKind.MFA_RESET_BY_OPERATOR,
    SecurityEventKind.PASSWORD_SET_BY_OPERATOR,
    SecurityEventKind.EMAIL_CHANGE_CANCELLED,
    SecurityEventKind.ADMIN_GRANTED,
}


@dataclass(frozen=True)
class SessionRow:
    id: int
    device_label: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    remember: bool
    current: bool


@dataclass(frozen=True)
class EventRow:
    label: str
    detail: str
    when: datetime
    ip: str
    device_label: str
    warning: bool


def devices_view(active: list[UserSession], current: UserSession | None) -> list[SessionRow]:
    rows = [
        SessionRow(
            id=s.id,
            device_label=s.device_label or "Unknown device",
            ip=s.ip or "unknown",
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            remember=s.remember,
            current=current is not None and s.id == current.id,
        )
        for s in active
    ]
    return sorted(rows, key=lambda row: not row.current)  # this browser first


def _event_detail(event: SecurityEvent) -> str:
    """The detail, unless it only names the device the row already shows: a new device's
    login and a logout record the acting browser as their detail too."""
    detail = shown_detail(event.kind, event.detail)
    return "" if detail == event.device_label else detail


def timeline_view(events: list[SecurityEvent]) -> list[EventRow]:
    return [
        EventRow(
            label=EVENT_LABELS.get(e.kind, str(e.kind)),
            detail=_event_detail(e),
            when=e.created_at,
            ip=e.ip or "",
            device_label=e.device_label,
            warning=e.kind in WARNING_KINDS,
        )
        for e in events
    ]
