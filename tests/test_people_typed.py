"""Whoever acts, views or is acted on is typed: every ``actor``, ``viewer`` and ``user``
parameter in the product's code carries an annotation, so mypy checks that a person (not an id,
not a request) is what every service, selector and access helper receives."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mentorhaven"
PEOPLE = {"actor", "viewer", "user"}


def untyped_people(source: str, filename: str = "<source>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            found += [
                f"{filename}:{node.lineno} {node.name}({arg.arg})"
                for arg in arguments
                if arg.arg in PEOPLE and arg.annotation is None
            ]
    return found


def test_every_actor_viewer_and_user_parameter_is_typed():
    untyped = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            untyped += untyped_people(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    assert untyped == []


def test_the_check_finds_a_bare_parameter_wherever_it_stands():
    source = (
        "def a(actor, n: int) -> None: ...\n"
        "def b(*, viewer: 'User', user) -> None: ...\n"
        "async def c(x, /, user) -> None: ...\n"
        "def d(actor: 'User') -> None: ...\n"
    )
    assert untyped_people(source) == [
        "<source>:1 a(actor)",
        "<source>:2 b(user)",
        "<source>:3 c(user)",
    ]
