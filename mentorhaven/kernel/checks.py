"""The inventory system check: nothing personal can be stored without being declared.

Runs at start-up (``mentorhaven check``, ``runserver``, ``migrate``) and in the test suite. The
inventory is an allow-list: every column of every installed model — ours and third-party — is
either self-evidently harmless by its kind, declared, or exempted with a reason. It reports an
Error for:

- a foreign key, one-to-one or many-to-many to the user model that is not declared (E001);
- a field that holds personal data by its type (e-mail, IP address, encrypted field) or by its
  name (``email``, ``display_name``, ``phone``, ``note``, ``body``, ...) that is not declared
  (E002), whatever its kind (a ``date_of_birth`` is a date, a ``gender`` may be a choice);
- any other column that is not a key (primary, foreign, one-to-one, UUID), a timestamp (date or
  date-time), an enum (a field with ``choices``) or a flag (boolean), and is neither declared nor
  exempted — whatever its name: a new ``Goal.struggles`` text field fails here (E009);
- a field declared as personal free text (``free_text=True``) or erased by shredding that is not
  an encrypted field: it would be readable in a copy of the database (E010);
- a declaration naming a model (E003) or a column (E004) that does not exist;
- a declaration with no way to find a person's rows (E005), an unknown lawful basis (E006), or a
  ``visible_to`` audience that is not one of ``kernel.access.Role`` (E007);
- an exemption naming a model or field that does not exist, or given without a reason (E008);
- a declaration without the plain-language names the data map page shows (E011);
- a field declared usable for a processing purpose (``Field.uses``) that no app registered
  with ``inventory.register_use`` (E012); the AI assistant's own check (assistant/checks.py)
  adds that every field its prompts read is declared usable for AI (E013).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from mentorhaven.kernel import inventory
from mentorhaven.kernel.inventory import LAWFUL_BASES, Erasure, ModelDeclaration

# A field whose name contains one of these words (split on "_") probably holds personal data.
PERSONAL_WORDS = frozenset(
    {
        "email",
        "mail",
        "name",
        "names",
        "username",
        "firstname",
        "lastname",
        "surname",
        "nickname",
        "phone",
        "mobile",
        "address",
        "birth",
        "birthday",
        "birthdate",
        "dob",
        "gender",
        "sex",
        "pronouns",
        "note",
        "notes",
        "message",
        "messages",
        "body",
        "comment",
        "comments",
        "answer",
        "answers",
        "ip",
        "agent",
        "location",
        "bio",
        "avatar",
        "photo",
        "text",
        "content",
        "feedback",
        "goal",
        "goals",
        "health",
        "salary",
        "job",
        "employer",
    }
)
PERSONAL_TYPES = (models.EmailField, models.GenericIPAddressField)


def _is_user_link(field: models.Field[Any, Any]) -> bool:
    if not field.is_relation or field.auto_created or field.remote_field is None:
        return False
    if not (field.many_to_one or field.one_to_one or field.many_to_many):
        return False
    target = field.remote_field.model
    if isinstance(target, str):
        return target.lower() == settings.AUTH_USER_MODEL.lower()
    return target._meta.label_lower == settings.AUTH_USER_MODEL.lower()


def _sounds_personal(field: models.Field[Any, Any]) -> bool:
    if field.is_relation:
        return False  # links to other models: the target model is checked itself
    if isinstance(field, PERSONAL_TYPES):
        return True
    if getattr(field, "personal_data", False) or any(
        cls.__name__.startswith("Encrypted") for cls in type(field).__mro__
    ):
        return True
    return bool(set(field.name.lower().split("_")) & PERSONAL_WORDS)


def _harmless_by_kind(field: models.Field[Any, Any]) -> bool:
    """Keys, timestamps, enums and flags: columns that cannot hold what a person wrote."""
    if field.primary_key or field.is_relation:
        return True
    if isinstance(field, models.UUIDField | models.DateField | models.BooleanField):
        return True  # DateTimeField is a DateField
    return bool(field.choices)


def _is_encrypted(field: models.Field[Any, Any]) -> bool:
    from mentorhaven.kernel.fields import EncryptedField

    return isinstance(field, EncryptedField)


def _own_fields(model: type[models.Model]) -> Iterable[models.Field[Any, Any]]:
    for field in model._meta.get_fields(include_hidden=False):
        if not isinstance(field, models.Field):
            continue  # reverse relations belong to the other model
        if getattr(field, "model", model) is not model:
            continue  # inherited from a concrete parent: checked there
        yield field


def undeclared_fields(
    model_list: Iterable[type[models.Model]],
    registry: dict[str, ModelDeclaration],
    exempt: dict[str, str],
) -> list[checks.Error]:
    errors: list[checks.Error] = []
    for model in model_list:
        label = model._meta.label_lower
        if label in exempt:
            continue
        declared = registry[label].fields if label in registry else {}
        for field in _own_fields(model):
            if field.name in declared or f"{label}.{field.name}" in exempt:
                continue
            if _is_user_link(field):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} links to a person (the user model) "
                        "but is not declared in the data inventory.",
                        hint="Declare it in the app's inventory.py with declare(...), with "
                        "subject=True if it points at the person the row is about.",
                        obj=model,
                        id="mentorhaven.E001",
                    )
                )
            elif _sounds_personal(field):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} looks like personal data but is not "
                        "declared in the data inventory.",
                        hint="Declare it in the app's inventory.py, or, if it is not about a "
                        "person, exempt(model, reason, fields=[...]) with the reason.",
                        obj=model,
                        id="mentorhaven.E002",
                    )
                )
            elif field.concrete and not _harmless_by_kind(field):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a column the data inventory does "
                        "not know: only keys, timestamps, choices and flags may go undeclared.",
                        hint="Declare it in the app's inventory.py (with free_text=True and an "
                        "encrypted field if a person types it), or exempt(model, reason, "
                        "fields=[...]) with the reason it holds nothing about a person.",
                        obj=model,
                        id="mentorhaven.E009",
                    )
                )
    return errors


def invalid_declarations(
    registry: dict[str, ModelDeclaration],
    exempt: dict[str, str],
    known: dict[str, type[models.Model]] | None = None,
) -> list[checks.Error]:
    """Errors in the declarations themselves. ``known`` adds models outside the app registry."""
    from mentorhaven.kernel.access import ROLES

    known = known or {}
    errors: list[checks.Error] = []
    for declaration in registry.values():
        try:
            model = known.get(declaration.label) or declaration.model_class()
        except (LookupError, ValueError):
            errors.append(
                checks.Error(
                    f"The inventory declares {declaration.model!r}, which is not an installed "
                    "model.",
                    id="mentorhaven.E003",
                )
            )
            continue
        if not declaration.record.strip():
            errors.append(
                checks.Error(
                    f"The inventory declaration of {model._meta.label} has no plain-language "
                    "record name.",
                    hint="Pass declare(..., record='Session notes'): the data map page shows it.",
                    obj=model,
                    id="mentorhaven.E011",
                )
            )
        for name, f in declaration.fields.items():
            where = f"{model._meta.label}.{name}"
            column = _column(model, name)
            if column is None:
                errors.append(
                    checks.Error(
                        f"The inventory declares {where}, which is not a column of the model.",
                        obj=model,
                        id="mentorhaven.E004",
                    )
                )
            elif (f.free_text or f.erasure == Erasure.SHRED) and not _is_encrypted(column):
                why = "personal free text" if f.free_text else "erased by shredding"
                errors.append(
                    checks.Error(
                        f"{where} is declared as {why} but is stored in clear.",
                        hint="Make it an EncryptedTextField / EncryptedJSONField under the "
                        "author's key (kernel/fields.py), with a migration that encrypts the "
                        "existing rows.",
                        obj=model,
                        id="mentorhaven.E010",
                    )
                )
            if not f.label.strip():
                errors.append(
                    checks.Error(
                        f"{where} has no plain-language label.",
                        hint="Pass Field(..., label='The text of your note'): the data map page "
                        "shows it instead of the column name.",
                        obj=model,
                        id="mentorhaven.E011",
                    )
                )
            if f.basis not in LAWFUL_BASES:
                errors.append(
                    checks.Error(
                        f"{where}: unknown lawful basis {f.basis!r} "
                        f"(one of {', '.join(LAWFUL_BASES)}).",
                        obj=model,
                        id="mentorhaven.E006",
                    )
                )
            for use in f.uses:
                if use not in inventory.USES:
                    errors.append(
                        checks.Error(
                            f"{where} is declared usable for {use!r}, which is not a registered "
                            "processing purpose.",
                            hint="Register it with inventory.register_use(code, label) in the "
                            "inventory.py of the app that owns the purpose.",
                            obj=model,
                            id="mentorhaven.E012",
                        )
                    )
            for role in f.visible_to:
                if role not in ROLES:
                    errors.append(
                        checks.Error(
                            f"{where} is declared visible to {role!r}, which is not an audience "
                            "the data map knows (kernel.access.Role).",
                            obj=model,
                            id="mentorhaven.E007",
                        )
                    )
        if declaration.subject is None and not declaration.subject_paths():
            errors.append(
                checks.Error(
                    f"The inventory cannot tell whose data a {model._meta.label} row is.",
                    hint="Flag the field pointing at the person with subject=True, or pass "
                    "declare(..., subject='path__to__user' or a callable user -> Q).",
                    obj=model,
                    id="mentorhaven.E005",
                )
            )
    for key, reason in exempt.items():
        parts = key.split(".")
        try:
            model = known.get(".".join(parts[:2])) or apps.get_model(parts[0], parts[1])
            if len(parts) == 3 and _column(model, parts[2]) is None:
                raise FieldDoesNotExist(key)
        except (LookupError, FieldDoesNotExist, IndexError):
            errors.append(
                checks.Error(
                    f"The inventory exempts {key!r}, which does not exist.", id="mentorhaven.E008"
                )
            )
            continue
        if not str(reason).strip():
            errors.append(
                checks.Error(
                    f"The inventory exempts {key!r} without a reason.", id="mentorhaven.E008"
                )
            )
    return errors


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    """The model's own field ``name`` if it is a column (or a many-to-many), else None: a
    reverse relation or a misspelt name is not something a declaration can describe."""
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(found, models.Field) or (found.auto_created and not found.concrete):
        return None
    if not (found.concrete or found.many_to_many):
        return None
    return found


def inventory_errors(
    model_list: Iterable[type[models.Model]] | None = None,
    registry: dict[str, ModelDeclaration] | None = None,
    exempt: dict[str, str] | None = None,
) -> list[checks.Error]:
    model_list = list(apps.get_models() if model_list is None else model_list)
    registry = inventory.REGISTRY if registry is None else registry
    exempt = inventory.EXEMPT if exempt is None else exempt
    known = {m._meta.label_lower: m for m in model_list}
    return undeclared_fields(model_list, registry, exempt) + invalid_declarations(
        registry, exempt, known
    )


@checks.register(checks.Tags.security, "mentorhaven")
def check_inventory(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.Error]:
    model_list = None
    if app_configs is not None:
        model_list = [m for config in app_configs for m in config.get_models()]
    return inventory_errors(model_list)
