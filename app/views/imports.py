"""An import as its page shows it: where it is, and the report once it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.models import DataImport, ImportSource, ImportStatus, Visibility

SOURCES = {ImportSource.INSTAGRAM: "Instagram archive", ImportSource.SAPLING: "Sapling export"}
AUDIENCES = {
    Visibility.ONLY_ME: "only you",
    Visibility.FOLLOWERS: "your followers",
    Visibility.PUBLIC: "everyone",
}


@dataclass(frozen=True)
class ImportCard:
    id: int
    state: str  # "waiting", "importing", "done" or "failed"
    source: str
    audience: str
    requested_at: datetime
    finished_at: datetime | None
    posts_total: int
    posts_done: int
    posts_imported: int
    photos_imported: int
    skipped: list[dict[str, Any]]
    skipped_count: int
    error: str

    @property
    def running(self) -> bool:
        return self.state in ("waiting", "importing")

    @property
    def percent(self) -> int:
        return round(100 * self.posts_done / self.posts_total) if self.posts_total else 0

    def progress(self) -> dict[str, Any]:
        """What the page's script polls for (js/imports.js)."""
        return {
            "state": self.state,
            "posts_done": self.posts_done,
            "posts_total": self.posts_total,
            "posts_imported": self.posts_imported,
            "percent": self.percent,
        }


def import_card(data_import: DataImport | None) -> ImportCard | None:
    if data_import is None:
        return None
    state = {
        ImportStatus.PENDING: "waiting",
        ImportStatus.IMPORTING: "importing",
        ImportStatus.DONE: "done",
        ImportStatus.FAILED: "failed",
    }[data_import.status]
    return ImportCard(
        id=data_import.id,
        state=state,
        source=SOURCES[data_import.source],
        audience=AUDIENCES[data_import.visibility],
        requested_at=data_import.requested_at,
        finished_at=data_import.finished_at,
        posts_total=data_import.posts_total,
        posts_done=data_import.posts_done,
        posts_imported=data_import.posts_imported,
        photos_imported=data_import.photos_imported,
        skipped=list(data_import.skipped or []),
        skipped_count=data_import.skipped_count,
        error=data_import.error,
    )
