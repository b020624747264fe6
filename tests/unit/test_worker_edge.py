"""The worker's edge sits above services: services never import app/worker/, and neither
does core (create_app hands the worker's after-commit units to core/deferred_work.py),
since app/worker/ imports services, which import core."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _worker(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "app.worker" or name.startswith("app.worker.")}


def test_no_service_imports_the_worker() -> None:
    offenders = {
        path.relative_to(APP).as_posix(): sorted(_worker(_imports(ast.parse(path.read_text()))))
        for path in sorted((APP / "services").rglob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_core_never_imports_the_worker() -> None:
    offenders = {
        path.name: sorted(_worker(_imports(ast.parse(path.read_text()))))
        for path in sorted((APP / "core").glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}
