"""Files in a holding folder (exports, imports) that no row names any more.

An account purged mid-build, or a crash between writing a file and committing its row,
leaves a file behind. Once it is older than ``grace`` (so never a file being written
now) and no row's ``column`` names it (``.part`` files by the name they will have), it
goes.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db

PART = ".part"


def remove_strays(
    folder: Path, column: InstrumentedAttribute[str | None], now: datetime, grace: timedelta
) -> int:
    """Delete the old files in ``folder`` that no row names; returns how many went."""
    try:
        with os.scandir(folder) as entries:
            files = [entry for entry in entries if entry.is_file(follow_symlinks=False)]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    cutoff = (now - grace).timestamp()
    old = [entry for entry in files if entry.stat().st_mtime < cutoff]
    names = {entry.name.removesuffix(PART) for entry in old}
    if not names:
        return 0
    known = set(db.session.scalars(select(column).where(column.in_(names))))
    strays = [entry for entry in old if entry.name.removesuffix(PART) not in known]
    for entry in strays:
        Path(entry.path).unlink(missing_ok=True)
    return len(strays)
