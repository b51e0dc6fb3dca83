"""Nothing about a person is left out of their export by accident.

``reachable_models`` walks every relation chain that leads to the user model — a foreign key,
one-to-one or many-to-many to the user, or to a model that has one, and so on, hidden reverse
relations (``related_name="+"``) and many-to-many tables included. ``missing`` returns each such
model that no export section writes and no ``exclude(...)`` explains; the test suite
(``tests/privacy/test_export_completeness.py``) fails on any, so a model added later with a
path to a person must say where it goes in the export.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model

from mentorhaven.privacy.export import registry


def _label(model) -> str:
    """ "app.model" of a model class, or of a lazy reference not resolved yet ("accounts.User")."""
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def _pointing_at(model: type[Model], every: list[type[Model]]) -> set[type[Model]]:
    found: set[type[Model]] = set()
    target = _label(model)
    for other in every:
        for f in other._meta.get_fields(include_hidden=True):
            linked = f.is_relation and f.concrete and f.related_model
            if linked and _label(f.related_model) == target:
                found.add(other)
    for f in model._meta.many_to_many:
        through = f.remote_field.through
        if isinstance(through, type):
            found.add(through)
    return found


def reachable_models(extra: list[type[Model]] = ()) -> set[type[Model]]:  # type: ignore[assignment]
    """The user model and every model linked to it through a chain of relations pointing at it
    (``extra``: models not registered with the app registry, for tests)."""
    every = [*apps.get_models(include_auto_created=True), *extra]
    user: type[Model] = get_user_model()
    seen: set[type[Model]] = {user}
    todo: list[type[Model]] = [user]
    while todo:
        for found in _pointing_at(todo.pop(), every):
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def missing(extra: list[type[Model]] = ()) -> dict[str, str]:  # type: ignore[assignment]
    """Reachable models that are neither exported nor excluded -> how they reach the user."""
    exported = registry.exported_models()
    result = {}
    for model in reachable_models(extra):
        label = model._meta.label_lower
        if label not in exported and label not in registry.EXCLUDED:
            result[model._meta.label] = "linked to the user model, neither exported nor excluded"
    return result
