"""The suite's own layout: unit tests start no programs (those live in tests/functional or
tests/integration), so tests/unit stays quick and needs nothing installed."""

from __future__ import annotations

import ast
from pathlib import Path

UNIT = Path(__file__).resolve().parent
STARTS_PROGRAMS = {"subprocess", "multiprocessing"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_no_unit_test_starts_a_program() -> None:
    offenders = {
        path.name: sorted(imported_modules(path) & STARTS_PROGRAMS)
        for path in sorted(UNIT.glob("*.py"))
    }
    assert not {name: found for name, found in offenders.items() if found}
