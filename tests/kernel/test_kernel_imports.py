"""The kernel imports no app: apps build on the kernel, never the other way round.

Every module under ``mentorhaven/kernel`` is parsed with ``ast`` and every import in it — at
module level or inside a function, absolute or relative, or a literal ``import_module`` — must
stay inside ``mentorhaven.kernel`` (or leave ``mentorhaven`` altogether: Django, libraries).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mentorhaven

PACKAGE_DIR = Path(mentorhaven.__file__).parent
KERNEL_DIR = PACKAGE_DIR / "kernel"

# Imports being removed on another branch, each named exactly: the lead deletes an entry when
# the branch that removes the import is merged (the stale-entry test below then insists).
PENDING_REMOVAL: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, wherever in the file the import sits."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(path, node)
            # ``from mentorhaven import programs`` imports the submodule ``programs``.
            found += [f"{module}.{alias.name}" for alias in node.names] if module else []
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append(first.value)
    return found


def is_app_module(module: str) -> bool:
    inside_project = module == "mentorhaven" or module.startswith("mentorhaven.")
    in_kernel = module == "mentorhaven.kernel" or module.startswith("mentorhaven.kernel.")
    return inside_project and not in_kernel


def app_imports_in(directory: Path) -> set[tuple[str, str]]:
    """(file, app module) for every app import under ``directory``, the app named by its
    top package (``mentorhaven.programs.models`` → ``mentorhaven.programs``)."""
    found = set()
    for path in sorted(directory.rglob("*.py")):
        for module in imported_modules(path):
            if is_app_module(module):
                app = ".".join(module.split(".")[:2])
                found.add((str(path.relative_to(PACKAGE_DIR.parent)), app))
    return found


def test_no_kernel_module_imports_an_app():
    offending = app_imports_in(KERNEL_DIR) - PENDING_REMOVAL
    assert not offending, f"the kernel imports apps: {sorted(offending)}"


def test_every_pending_removal_is_still_there():
    # An entry whose import is gone must go too, or it would let the import come back unseen.
    assert app_imports_in(KERNEL_DIR) >= PENDING_REMOVAL


def test_the_walk_finds_imports_at_every_level(tmp_path, monkeypatch):
    fake = tmp_path / "mentorhaven" / "kernel"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "clean.py").write_text(
        "import django\nfrom mentorhaven.kernel import vault\nfrom . import errors\n"
    )
    (fake / "top.py").write_text("from mentorhaven.programs.models import Program\n")
    (fake / "inner.py").write_text(
        "def f():\n    if True:\n        import mentorhaven.mentoring.models\n"
    )
    (fake / "relative.py").write_text("def g():\n    from ..accounts import mfa_adapter\n")
    (fake / "package.py").write_text("from mentorhaven import messaging\n")
    (fake / "dynamic.py").write_text(
        "from importlib import import_module\nimport_module('mentorhaven.files.models')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE_DIR", tmp_path / "mentorhaven")
    found = {(Path(f).name, app) for f, app in app_imports_in(fake)}
    assert found == {
        ("top.py", "mentorhaven.programs"),
        ("inner.py", "mentorhaven.mentoring"),
        ("relative.py", "mentorhaven.accounts"),
        ("package.py", "mentorhaven.messaging"),
        ("dynamic.py", "mentorhaven.files"),
    }
