"""PostgreSQL query plans as data: EXPLAIN a statement and walk the plan tree.

Tests assert on the shape of a plan (which index reaches which table, where a
sort is), never on its timings, so they hold on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from app.extensions import db

Node = dict[str, Any]


class Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, compiled exactly as the app would run it."""

    inherit_cache = False

    def __init__(self, statement: Executable) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def explain(statement: Executable) -> Node:
    """The root node of the statement's plan (not run: the planner's choice, no timings)."""
    document = db.session.execute(Explain(statement)).scalar_one()
    root: Node = document[0]["Plan"]
    return root


def nodes(plan: Node) -> Iterator[Node]:
    """Every node of the tree, the root first, subplans and init plans included."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def scans_of(plan: Node, table: str) -> list[Node]:
    return [node for node in nodes(plan) if node.get("Relation Name") == table]


def label(node: Node) -> str:
    """One line, as EXPLAIN's text format would say it."""
    kind = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        kind += " Backward"
    if "Join Type" in node and node["Join Type"] != "Inner":
        kind += f" ({node['Join Type']})"
    if "Index Name" in node:
        kind += f" using {node['Index Name']}"
    if "Relation Name" in node:
        kind += f" on {node['Relation Name']}"
        if node.get("Alias") != node["Relation Name"]:
            kind += f" {node['Alias']}"
    for key in ("Sort Key", "Index Cond", "Filter"):
        if key in node:
            kind += f"  [{key}: {node[key]}]"
    return f"{kind}  (rows={node.get('Plan Rows')})"


def render(plan: Node, depth: int = 0) -> str:
    """The tree as indented text, for failure messages."""
    relation = plan.get("Parent Relationship")
    prefix = "  " * depth + ("-> " if depth else "") + (f"{relation}: " if relation else "")
    lines = [prefix + label(plan)]
    lines += [render(child, depth + 1) for child in plan.get("Plans", [])]
    return "\n".join(lines)


def under_limit(plan: Node, name: str, *, by_index: bool = False) -> bool:
    """Whether every read of table ``name`` (or of index ``name``) in this subtree is
    below a Limit node, so it stops after a bounded number of rows."""
    key = "Index Name" if by_index else "Relation Name"

    def bounded(node: Node, limited: bool) -> bool:
        limited = limited or node["Node Type"] == "Limit"
        if node.get(key) == name and not limited:
            return False
        return all(bounded(child, limited) for child in node.get("Plans", []))

    return bounded(plan, limited=False)
