"""The data export as the settings page shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import DataExport, ExportStatus


@dataclass(frozen=True)
class ExportCard:
    id: int
    state: str  # "preparing", "ready", "expired" or "failed"
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size_bytes: int | None


def export_card(export: DataExport | None, now: datetime) -> ExportCard | None:
    if export is None:
        return None
    if export.status in (ExportStatus.PENDING, ExportStatus.BUILDING):
        state = "preparing"
    elif export.status == ExportStatus.FAILED:
        state = "failed"
    elif export.expires_at is not None and export.expires_at <= now:
        state = "expired"
    else:
        state = "ready"
    return ExportCard(
        id=export.id,
        state=state,
        requested_at=export.requested_at,
        ready_at=export.ready_at,
        expires_at=export.expires_at,
        size_bytes=export.size_bytes,
    )
