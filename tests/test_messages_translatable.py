"""Every message a person can see goes through gettext, and no error message names anyone.

Read from the source (the AST), so a new plain string is caught the day it is written, not
when a translator finds it. Looked at: the message of every domain error raised (any subclass
of ``ApplicationError``, and Django's form ``ValidationError``), every flash message
(``messages.<level>`` / ``flash.<level>``) and every ``form.add_error``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mentorhaven"
LEVELS = {"debug", "info", "success", "warning", "error"}
MESSAGE_MODULES = {"messages", "flash"}
# Placeholders that would put a person into an error message.
PERSONAL = ("email", "name", "display_name", "username", "first_name", "last_name")


def _trees() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), str(path))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of every ApplicationError subclass defined in the package (by name, closed)."""
    names = {"ApplicationError", "ValidationError"}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {getattr(b, "attr", getattr(b, "id", None)) for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _messages(trees: dict[Path, ast.Module]):
    """(where, is_error, message expression) for every person-visible message."""
    errors = _error_classes(trees)
    for path, tree in trees.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func, name = call.func, _callee(call)
            where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
            if (
                isinstance(func, ast.Attribute)
                and func.attr in LEVELS
                and isinstance(func.value, ast.Name)
                and func.value.id in MESSAGE_MODULES
            ):
                yield from ((where, func.attr == "error", arg) for arg in call.args[1:2])
            elif name in errors:
                found = call.args[:1] + [k.value for k in call.keywords if k.arg == "message"]
                yield from ((where, True, arg) for arg in found)
            elif name == "add_error":
                yield from ((where, True, arg) for arg in call.args[1:2])


def _untranslated(expr: ast.expr) -> bool:
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.BinOp):  # "..." % {...}: the left side is the message
        return _untranslated(expr.left)
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str) and bool(expr.value)


def _names_someone(expr: ast.expr) -> bool:
    text = ast.unparse(expr)
    return any(f"%({key})" in text or f"{{{key}}}" in text for key in PERSONAL)


def untranslated_messages(trees: dict[Path, ast.Module]) -> list[str]:
    return [
        f"{where}: {ast.unparse(expr)[:80]}"
        for where, _error, expr in _messages(trees)
        if _untranslated(expr)
    ]


def error_messages_naming_someone(trees: dict[Path, ast.Module]) -> list[str]:
    return [
        f"{where}: {ast.unparse(expr)[:80]}"
        for where, is_error, expr in _messages(trees)
        if is_error and _names_someone(expr)
    ]


def test_every_person_visible_message_goes_through_gettext():
    assert untranslated_messages(_trees()) == []


def test_no_error_message_carries_a_name_or_an_email_address():
    assert error_messages_naming_someone(_trees()) == []


def test_the_checks_see_a_plain_string_an_f_string_and_a_name_in_an_error():
    source = """
class QuotaExceeded(Conflict):
    pass

class Conflict(ApplicationError):
    pass

class ValidationFailed(ApplicationError):
    pass

def view(request, who):
    messages.success(request, "Saved.")
    flash.error(request, f"Nope {who}")
    form.add_error(None, _("Fine."))
    raise QuotaExceeded("Too many.")

def service(user):
    raise ValidationFailed(_("%(email)s is taken.") % {"email": user.email})
"""
    trees = {PACKAGE / "example.py": ast.parse(source)}
    found = untranslated_messages(trees)
    assert [line.split(": ", 1)[1] for line in found] == [
        "'Saved.'",
        "f'Nope {who}'",
        "'Too many.'",
    ]
    assert len(error_messages_naming_someone(trees)) == 1
