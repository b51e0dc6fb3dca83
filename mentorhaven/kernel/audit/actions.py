"""The registry of audit actions: every action is declared once, before anything records it.

Each app declares its own in ``<app>/audit_actions.py`` (the kernel imports those modules when
it is ready, as it does the inventories): the action's code, the data category it concerns
(empty when each event says, as for ``data.read``), and a plain-language sentence for the
person's "Who accessed my data" page, with ``{actor}`` standing for who did it::

    declare("note.read", category="personal", sentence=_("{actor} read your session notes"))

``record`` refuses an action nobody declared, so the page can always explain an event, and a
typo in a call site fails its first test instead of writing an event nobody can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mentorhaven.kernel.audit.errors import AuditError
from mentorhaven.kernel.categories import Category

ACTION = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
MAX_ACTION = 64
CATEGORIES = frozenset(str(c) for c in Category)


@dataclass(frozen=True)
class Action:
    name: str
    category: str  # a data category (kernel.categories.Category), or "" when each event says
    sentence: Any  # a (lazy) translatable string; "{actor}" is who did it


_REGISTRY: dict[str, Action] = {}


def declare(name: str, *, sentence: Any, category: str = "") -> Action:
    """Declare one action. Declaring it again identically is harmless; differently, an error."""
    if len(name) > MAX_ACTION or not ACTION.fullmatch(name):
        raise AuditError(f"audit action {name!r} must be a dotted lower-case code")
    if category and category not in CATEGORIES:
        raise AuditError(f"audit action {name!r}: unknown category {category!r}")
    action = Action(name, str(category), sentence)
    known = _REGISTRY.setdefault(name, action)
    if known != action:
        raise AuditError(f"audit action {name!r} is declared twice, differently")
    return known


def declared(name: str) -> Action:
    """The declaration of ``name``; ``AuditError`` if nobody declared it."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AuditError(
            f"audit action {name!r} is not declared: declare it in the app's audit_actions.py"
        ) from None


def all_actions() -> list[Action]:
    return sorted(_REGISTRY.values(), key=lambda a: a.name)


def sentence(name: str, actor: str) -> str:
    """The plain-language sentence of an event, e.g. "Ana Mentor read your session notes"."""
    action = _REGISTRY.get(name)
    if action is None:  # an event recorded before its action was renamed
        return f"{actor}: {name}"
    return str(action.sentence).format(actor=actor)
