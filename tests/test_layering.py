"""Who may import whom, read from the source.

Every ``import`` counts, at the top of a module or inside a function: an import hidden in a
function to dodge a cycle is still a dependency. The rules (docs/architecture.md, "Layers"):

* the kernel imports no app;
* selectors (reads) never import services (writes);
* services never import tasks: a task is an interface that fetches and calls a service;
* ``programs`` uses ``accounts`` only for the user model (``accounts.models``), so that
  ``accounts`` (sign-up by invitation, second factor by role) may build on ``programs``
  without the two importing each other;
* no two modules import each other, directly or around a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mentorhaven"
TOP = PACKAGE.name


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> Iterable[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(paths: Iterable[Path] | None = None) -> dict[str, set[str]]:
    """Module → the package modules it imports (names resolved to the module they live in)."""
    files = {
        _module_name(p): p for p in (paths or PACKAGE.rglob("*.py")) if "migrations" not in p.parts
    }
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = graph.setdefault(module, set())
        for name in _imports(path, module):
            while name and name not in files:
                name = name.rpartition(".")[0]
            # a module importing its own package (``from . import x``) is not a dependency
            if name and name != module and not module.startswith(f"{name}."):
                targets.add(name)
    return graph


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def _is(module: str, layer: str) -> bool:
    return layer in module.split(".")[2:]


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            edge = f"{source} -> {target}"
            if _app(source) == "kernel" and _app(target) not in ("kernel", ""):
                found.append(f"the kernel imports an app: {edge}")
            if _is(source, "selectors") and _is(target, "services"):
                found.append(f"a selector imports a service: {edge}")
            if _is(source, "services") and _is(target, "tasks"):
                found.append(f"a service imports a task: {edge}")
            if (
                _app(source) == "programs"
                and _app(target) == "accounts"
                and target != f"{TOP}.accounts.models"
            ):
                found.append(f"programs imports accounts beyond the user model: {edge}")
    return found


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_layers_are_kept():
    assert violations(import_graph()) == []


def test_no_module_imports_another_that_imports_it_back():
    assert cycles(import_graph()) == []


def test_the_rules_catch_each_kind_of_breach():
    graph = {
        f"{TOP}.kernel.vault": {f"{TOP}.accounts.models"},
        f"{TOP}.files.selectors": {f"{TOP}.files.services"},
        f"{TOP}.messaging.services.notifications": {f"{TOP}.messaging.tasks"},
        f"{TOP}.messaging.tasks": {f"{TOP}.messaging.services.notifications"},
        f"{TOP}.programs.views": {f"{TOP}.accounts.selectors", f"{TOP}.accounts.models"},
    }
    assert sorted(v.split(":")[0] for v in violations(graph)) == [
        "a selector imports a service",
        "a service imports a task",
        "programs imports accounts beyond the user model",
        "the kernel imports an app",
    ]
    assert cycles(graph) == [{f"{TOP}.messaging.services.notifications", f"{TOP}.messaging.tasks"}]


def test_an_import_inside_a_function_counts():
    # the graph reads the real files: a lazy import is found like any other
    graph = import_graph()
    assert f"{TOP}.programs.selectors" in graph[f"{TOP}.accounts.adapter"]
