"""View-models for the settings pages: what each row shows, worded for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import SecurityEvent, SecurityEventKind, UserSession

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
    SecurityEventKind.EMAIL_CHANGE_REQUESTED: "Email change requested",
    SecurityEventKind.EMAIL_CHANGED: "Email address changed",
    SecurityEventKind.EMAIL_CHANGE_CANCELLED: "Email change cancelled",
    SecurityEventKind.USERNAME_CHANGED: "Username changed",
}
WARNING_KINDS = {SecurityEventKind.LOGIN_FAILED, SecurityEventKind.NEW_DEVICE}


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


def timeline_view(events: list[SecurityEvent]) -> list[EventRow]:
    return [
        EventRow(
            label=EVENT_LABELS.get(e.kind, str(e.kind)),
            detail=e.detail,
            when=e.created_at,
            ip=e.ip or "",
            device_label=e.device_label,
            warning=e.kind in WARNING_KINDS,
        )
        for e in events
    ]
