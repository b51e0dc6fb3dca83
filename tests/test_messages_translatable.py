"""Every message a person can see goes through gettext, and no error message names anyone.

Read from the source (the AST), so a new plain string is caught the day it is written, not
when a translator finds it. Looked at: the message of every domain error raised (any subclass
of ``ApplicationError``, and Django's form ``ValidationError``), every flash message
(``messages.<level>`` / ``flash.<level>``) and every ``form.add_error``.

Templates are read with Django's own template lexer: every text node (what lies between HTML
tags and template tags) and every attribute a person reads or hears (``title``, ``alt``,
``placeholder``, ``aria-label``) must be inside ``{% translate %}`` or
``{% blocktranslate %}`` unless it holds no letters (punctuation, symbols, numbers) or only the
product's name. Code samples (``<code>``, ``<kbd>``) and blocks that fill in a CSS class
(``{% block main_class %}``) are not prose and are left as written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

PACKAGE = Path(__file__).resolve().parents[1] / "mentorhaven"
LEVELS = {"debug", "info", "success", "warning", "error"}
MESSAGE_MODULES = {"messages", "flash"}
# Placeholders that would put a person into an error message.
PERSONAL = ("email", "name", "display_name", "username", "first_name", "last_name")


# Text that needs no translation: the product's name and the time zone's. Anything without a
# letter (·, —, %, 12) needs none either.
UNTRANSLATED_NAMES = ("MentorHaven", "UTC")
SPOKEN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description")
# Inside these the lexer's text is not prose for a translator.
_NOT_PROSE = re.compile(
    r"<!--.*?-->|<(script|style|code|kbd)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&#?\w+;")
_LETTER = re.compile(r"[^\W\d_]")
_ATTRIBUTE = re.compile(r"\s(" + "|".join(SPOKEN_ATTRIBUTES) + r")\s*=\s*\"([^\"]*)\"")
_MARK = "\x00"  # where a template tag or variable stood


def _has_words(text: str) -> bool:
    for name in UNTRANSLATED_NAMES:
        text = text.replace(name, " ")
    return bool(_LETTER.search(_ENTITY.sub(" ", text)))


def _outside_translation(source: str) -> str:
    """The template's text with every tag, variable and comment replaced by a mark, and the
    bodies of ``blocktranslate``, ``comment`` and ``verbatim`` left out."""
    parts: list[str] = []
    closing = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if closing is None and name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                closing = f"end{name}"
            elif closing is None and name == "block" and token.contents.endswith("_class"):
                closing = "endblock"  # a block that fills in a CSS class name
            elif name == closing:
                closing = None
        if closing is None and token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        else:
            parts.append(_MARK)
    return "".join(parts)


def untranslated_template_text(sources: dict[str, str]) -> list[str]:
    """``where: text`` for every run of words a person would read that no translate tag
    holds."""
    found = []
    for where, source in sources.items():
        text = _NOT_PROSE.sub(_MARK, _outside_translation(source))
        for match in _ATTRIBUTE.finditer(text):
            value = match.group(2)
            if _MARK not in value and _has_words(value):
                found.append(f"{where}: {match.group(1)}={value!r}")
        for run in _TAG.sub(_MARK, text).split(_MARK):
            words = " ".join(run.split())
            if _has_words(words):
                found.append(f"{where}: {words[:80]!r}")
    return found


def _templates() -> dict[str, str]:
    return {
        str(path.relative_to(PACKAGE.parent)): path.read_text()
        for suffix in ("*.html", "*.txt")
        for path in PACKAGE.rglob(suffix)
        if "templates" in path.parts
    }


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


def test_every_word_a_template_shows_is_inside_a_translate_tag():
    assert untranslated_template_text(_templates()) == []


def test_the_template_check_sees_plain_text_and_a_spoken_attribute():
    source = """{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "Inbox" %}{% endblock %}
{% block main_class %}wide{% endblock %}
{% block content %}
<h1>Your inbox</h1>
<nav aria-label="Pages"><a href="{% url 'x' %}" title="{% translate 'Next' %}">&rarr; 2</a></nav>
<p>{% blocktranslate trimmed with n=count %}You have {{ n }} new
  messages.{% endblocktranslate %} · {{ user.name }} · MentorHaven</p>
<p>Sent by {{ sender }}</p>
<p>Run <code>mentorhaven audit verify</code>{# a comment is no text #}</p>
{% comment %}Nor is this.{% endcomment %}
{% endblock %}
"""
    found = untranslated_template_text({"example.html": source})
    assert [line.split(": ", 1)[1] for line in found] == [
        "aria-label='Pages'",
        "'Your inbox'",
        "'Sent by'",
        "'Run'",
    ]
