"""Which layer may import which: the arrows of docs/architecture.md, walked in the code.

Every import in app/ counts, at the top of a module or inside a function, with or without
``TYPE_CHECKING``: a lazy import is still a dependency, only a hidden one. A new arrow
against the direction below fails here with the module and line that drew it.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Each layer, and the layers it may import besides itself. Libraries are not layers.
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset(),
    "core": frozenset({"config"}),
    "models": frozenset({"core", "config"}),
    "services": frozenset({"models", "core", "config"}),
    "views": frozenset({"models", "core", "config"}),
    "forms": frozenset({"models", "core", "config"}),
    # Controllers may name models (the types and enums services hand back), never query them:
    # test_controllers_views_and_forms_never_query below holds that half.
    "controllers": frozenset({"forms", "services", "views", "models", "core", "config"}),
    "worker": frozenset({"services", "models", "core", "config"}),
    "demo": frozenset({"services", "models", "core", "config"}),
    "cli": frozenset({"services", "worker", "demo", "models", "core", "config"}),
}
# create_app() composes the layers, so it alone may import any of them.
COMPOSITION_ROOT = "app"


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app":
        return None  # a library
    if len(parts) == 1:
        return COMPOSITION_ROOT
    name = parts[1]
    if name in {"config", "config_checks"}:
        return "config"
    if name == "extensions":
        return "core"  # the extension objects, created unbound: plumbing like core/
    return name


def module_name(path: Path, root: Path = APP) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = APP) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved."""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module == "app":  # `from app import models` names the layer it imports
                found += [(node.lineno, f"app.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def arrows() -> list[tuple[str, str, str]]:
    """(source file:line, from layer, to layer) for every import between two layers."""
    result = []
    for path in sorted(APP.rglob("*.py")):
        source = layer_of(module_name(path))
        for line, module in imported(path):
            target = layer_of(module)
            if source and target and target != source:
                result.append((f"{path.relative_to(APP.parent)}:{line}", source, target))
    return result


def test_every_layer_is_named() -> None:
    """A new top-level package must say where it sits before it can import anything."""
    layers = {layer_of(module_name(path)) for path in APP.rglob("*.py")}
    assert layers - set(ALLOWED) - {COMPOSITION_ROOT} == set()


def test_imports_point_only_the_allowed_way() -> None:
    against = [
        f"{where}: {source} -> {target}"
        for where, source, target in arrows()
        if source != COMPOSITION_ROOT and target not in ALLOWED[source]
    ]
    assert against == []


def test_the_walk_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    """The walk itself: an import hidden in a function or written relatively still counts."""
    services = tmp_path / "app" / "services"
    services.mkdir(parents=True)
    source = services / "sample.py"
    source.write_text("def later():\n    from ..views import posts\n    import app.worker.jobs\n")
    found = [module for _, module in imported(source, root=tmp_path / "app")]
    assert found == ["app.views", "app.worker.jobs"]


def test_controllers_views_and_forms_never_query() -> None:
    """Queries live in services; the request edge may only roll a failed session back."""
    offenders = []
    for package in ("controllers", "views", "forms"):
        for path in sorted((APP / package).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                code = line.split("#", 1)[0]
                if ("select(" in code or "db.session" in code) and "rollback()" not in code:
                    offenders.append(f"{path.relative_to(APP.parent)}:{number}: {line.strip()}")
    assert offenders == []
