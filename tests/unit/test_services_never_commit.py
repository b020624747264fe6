"""Services flush, never commit: commits happen at the request edge (core/database.py),
the worker's edge (app/worker/) and in CLI commands. A `.commit(` or `.rollback(` in
app/services/ fails here, with no exception: where a service reads for long (the export
archive), the edge hands it the way to end each read."""

from __future__ import annotations

import re
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"
ENDS_A_TRANSACTION = re.compile(r"\.(commit|rollback)\(")


def test_no_service_commits_or_rolls_back() -> None:
    found = [
        f"{path.relative_to(SERVICES).as_posix()}: .{match[1]}("
        for path in sorted(SERVICES.rglob("*.py"))
        for match in ENDS_A_TRANSACTION.finditer(path.read_text())
    ]
    assert found == [], "services flush; the edge commits"
