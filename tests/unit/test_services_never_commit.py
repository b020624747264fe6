"""Services flush, never commit: commits happen at the request edge (core/database.py),
the worker's edge (app/worker/) and in CLI commands. A `.commit(` or `.rollback(` in
app/services/ fails here, but for the read-only rollbacks named below with their reason."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"
ENDS_A_TRANSACTION = re.compile(r"\.(commit|rollback)\(")

# The archive is written while the export's rows are read in keyset pages; each page's
# read transaction ends before the (slow) writing, so no snapshot or SQLite lock is held
# for minutes. Nothing was written in those transactions: the rollbacks only end reads.
ALLOWED = Counter({("privacy/export_archive.py", "rollback"): 2})


def test_no_service_commits_or_rolls_back() -> None:
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted(SERVICES.rglob("*.py")):
        for match in ENDS_A_TRANSACTION.finditer(path.read_text()):
            found[(path.relative_to(SERVICES).as_posix(), match[1])] += 1
    assert found - ALLOWED == Counter(), "services flush; the edge commits"
    assert found == ALLOWED, "an allowed rollback is gone: take it out of ALLOWED"
