"""The inventory: every personal-data field we keep, why, for whom and for how long.

Each app declares its fields in its own ``inventory.py`` (imported when the kernel is ready)::

    from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

    declare("accounts.ApiToken", [
        Field("user", Category.PLATFORM, label="Whose token it is",
              purpose="Whose token this is", basis="contract", visible_to=("self",),
              retention="until revoked + 30 days", erasure=Erasure.DELETE, subject=True),
        Field("name", Category.PLATFORM, label="The token's label", free_text=True, ...),
    ], record="API tokens")

``label`` and ``record`` name the field and the kind of record in plain language: they are what
the page "What we keep about you and why" shows (never a column name). ``free_text=True`` marks
what a person types (a goal, a note, a label): such a field must be an encrypted field, and so
must every field erased by shredding (the system check enforces both).

The subject of a row (whose data it is) is found through the fields flagged ``subject=True`` (a
row is about each of them: a relationship is about its mentee and its mentor), or through
``declare(..., subject="path__to__user")`` / ``subject=callable(user) -> Q`` when the link is
indirect (an e-mail address, a pseudonym). A column that holds nothing about a person — a count,
a hash, a name chosen by organizers — is exempted with a reason through ``exempt``.

The inventory is an allow-list: the system check in ``kernel/checks.py`` fails start-up (and the
suite) when any column that is not a key, a timestamp, a choice or a flag is neither declared nor
exempted, whatever its name. The data map page, the data-map API, exports, retention and erasure
are all generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

# Re-exported: apps file their fields under ``inventory.Category``.
from mentorhaven.kernel.categories import SENSITIVITY as SENSITIVITY
from mentorhaven.kernel.categories import Category as Category
from mentorhaven.kernel.people import Person


class Erasure(StrEnum):
    SHRED = "shred"  # encrypted under the subject's key: destroyed with the key
    DELETE = "delete"  # the row is deleted
    ANONYMIZE = "anonymize"  # the value is replaced; the row stays for others' records
    # The value stays but nothing links it to the person any more: a keyed pseudonym whose
    # secret is destroyed, the number of an account that is anonymized.
    UNLINK = "unlink"


ERASURE_TEXT = {
    Erasure.SHRED: "Made unreadable by destroying your key",
    Erasure.DELETE: "Deleted",
    Erasure.ANONYMIZE: "Replaced with an anonymous placeholder",
    Erasure.UNLINK: "Kept, but no longer linked to you",
}


LAWFUL_BASES = {
    "contract": "Needed to provide the service you signed up for",
    "consent": "You agreed, and can withdraw at any time",
    "legitimate_interest": "Needed to keep the service safe and accountable",
    "legal_obligation": "Required by law",
}


@dataclass(frozen=True)
class Field:
    name: str
    category: Category
    purpose: str
    basis: str  # a key of LAWFUL_BASES
    visible_to: tuple[str, ...]  # roles from kernel/access.py ROLES; () = nobody reads it
    retention: str
    erasure: Erasure
    subject: bool = False  # this field is a link to a data subject of the row
    label: str = ""  # what it is, in plain language ("The text of your note"); never a column
    free_text: bool = False  # typed by a person: must be an encrypted field
    # Further processing purposes this field may be used for, beyond ``purpose`` (codes
    # registered with ``register_use``, e.g. "ai_features"): data minimisation by declaration.
    # A field not declared usable for a purpose never reaches that processing (the AI gateway
    # refuses it, and the system check refuses a declaration naming an unknown use).
    uses: tuple[str, ...] = ()


SubjectLookup = str | Callable[[Any], Q]


@dataclass
class ModelDeclaration:
    model: str  # "app_label.ModelName"
    fields: dict[str, Field] = field(default_factory=dict)
    description: str = ""
    subject: SubjectLookup | None = None  # how to find a subject's rows when no field is flagged
    record: str = ""  # the kind of record in plain language ("Session notes")

    @property
    def label(self) -> str:
        return self.model.lower()

    def model_class(self) -> type[Model]:
        """The model class; raises LookupError when the model is not installed."""
        return apps.get_model(self.model)

    def subject_path(self) -> str | None:
        """The ORM path from a row to its data subject (a user), if it is a plain path."""
        if isinstance(self.subject, str):
            return self.subject
        flagged = [f.name for f in self.fields.values() if f.subject]
        return flagged[0] if flagged else None

    def subject_paths(self) -> list[str]:
        """Every plain ORM path to a data subject of a row (a row may be about several)."""
        if isinstance(self.subject, str):
            return [self.subject]
        return [f.name for f in self.fields.values() if f.subject]

    def subject_filter(self, user: Person) -> Q | None:
        """A filter selecting the rows that are about ``user``, or ``None`` if undefined."""
        if callable(self.subject):
            return self.subject(user)
        condition = None
        for path in self.subject_paths():
            value = user.pk if path.rsplit("__", 1)[-1] in ("pk", "id") else user
            condition = Q(**{path: value}) if condition is None else condition | Q(**{path: value})
        return condition

    def rows_for(self, user: Person) -> QuerySet[Model]:
        condition = self.subject_filter(user)
        manager = self.model_class()._default_manager
        return manager.none() if condition is None else manager.filter(condition)

    def subject_of(self, obj: Model) -> Any:
        """The data subject of one row, following the subject path (``pk`` is the row itself)."""
        path = self.subject_path()
        if path is None:
            return None
        current: Any = obj
        for part in path.split("__"):
            if part == "pk":
                continue
            current = getattr(current, part, None)
            if current is None:
                return None
        return current

    def categories(self) -> list[Category]:
        present = {f.category for f in self.fields.values()}
        return [c for c in SENSITIVITY if c in present]

    @property
    def category(self) -> Category | None:
        """The most sensitive category this model holds: access to a row is judged by it."""
        found = self.categories()
        return found[0] if found else None


REGISTRY: dict[str, ModelDeclaration] = {}
EXEMPT: dict[str, str] = {}  # "app.model" or "app.model.field" -> reason
USES: dict[str, str] = {}  # processing purpose code -> plain-language name (``Field.uses``)


def register_use(code: str, label: str) -> None:
    """Make a processing purpose (a consent purpose such as "ai_features") declarable in
    ``Field.uses``; the app that owns the purpose registers it from its ``inventory.py``."""
    USES[code] = label


def usable_for(label: str, use: str) -> bool:
    """Whether the field ``label`` ("app_label.model.field") is declared usable for ``use``."""
    model, _dot, name = label.lower().rpartition(".")
    declaration = REGISTRY.get(model)
    found = declaration.fields.get(name) if declaration is not None else None
    return found is not None and use in found.uses


def declare(
    model: str,
    fields: Iterable[Field],
    *,
    record: str = "",
    description: str = "",
    subject: SubjectLookup | None = None,
) -> ModelDeclaration:
    """Declare (or extend) the personal-data fields of ``model`` ("app_label.ModelName").

    ``record`` names the kind of record in plain language, as the data map page shows it.
    """
    key = model.lower()
    declaration = REGISTRY.setdefault(key, ModelDeclaration(model=model))
    for f in fields:
        declaration.fields[f.name] = f
    if record:
        declaration.record = record
    if description:
        declaration.description = description
    if subject is not None:
        declaration.subject = subject
    return declaration


def exempt(model: str, reason: str, *, fields: Iterable[str] = ()) -> None:
    """Record why a model (or some of its fields) needs no declaration.

    With ``fields``: those fields only sound personal (``Program.name``). Without: the whole model
    holds nothing about a person (rare; the reason is shown in the data map documentation).
    """
    if not reason.strip():
        raise ValueError("an exemption needs a reason")
    names = list(fields)
    if not names:
        EXEMPT[model.lower()] = reason
    for name in names:
        EXEMPT[f"{model.lower()}.{name}"] = reason


def declaration_for(model: type[Model] | Model | str) -> ModelDeclaration | None:
    if isinstance(model, str):
        return REGISTRY.get(model.lower())
    return REGISTRY.get(model._meta.label_lower)


# --- the data map ------------------------------------------------------------------------------


def _holds_a_value(model: type[Model], name: str) -> Q:
    """Rows where the field ``name`` holds something (not NULL, not empty text or bytes)."""
    from django.db import models

    from mentorhaven.kernel.fields import EncryptedField

    found = model._meta.get_field(name)
    condition = Q(**{f"{name}__isnull": False})
    if isinstance(found, EncryptedField) or found.is_relation:
        return condition
    if isinstance(found, models.CharField | models.TextField):
        condition &= ~Q(**{name: ""})
    elif isinstance(found, models.BinaryField):
        condition &= ~Q(**{name: b""})
    return condition


@dataclass(frozen=True)
class Holdings:
    """What one model holds about one person: rows with a value, per field and per category."""

    per_field: dict[str, int]
    per_category: dict[Category, int]


def _aggregates(declaration: ModelDeclaration) -> tuple[list[str], list[Category], list[Any]]:
    """The declared fields, their categories, and one count per field then per category."""
    from django.db.models import Count

    model = declaration.model_class()
    names = list(declaration.fields)
    present = {name: _holds_a_value(model, name) for name in names}
    counts: list[Any] = [Count("pk", filter=present[name], distinct=True) for name in names]
    categories = declaration.categories()
    for category in categories:
        any_value = Q()
        for name, f in declaration.fields.items():
            if f.category == category:
                any_value |= present[name]
        counts.append(Count("pk", filter=any_value, distinct=True))
    return names, categories, counts


def _as_holdings(names: list[str], categories: list[Category], row: list[int]) -> Holdings:
    return Holdings(
        per_field={name: int(row[i]) for i, name in enumerate(names)},
        per_category={c: int(row[len(names) + i]) for i, c in enumerate(categories)},
    )


def holdings(declaration: ModelDeclaration, user: Person) -> Holdings:
    """Count, in one query, the rows about ``user`` that hold each declared field, and the rows
    that hold anything of each category (a row counts once per category, however many of its
    fields are of that category; a field left empty, such as a feedback without a comment, holds
    nothing)."""
    names, categories, counts = _aggregates(declaration)
    found = declaration.rows_for(user).aggregate(**{f"c{i}": c for i, c in enumerate(counts)})
    return _as_holdings(names, categories, [found[f"c{i}"] or 0 for i in range(len(counts))])


def all_holdings(user: Person) -> dict[str, Holdings]:
    """``holdings`` of every declared model, in one query: one aggregate row per model that
    holds rows about ``user``, joined with UNION ALL (a model with none sends no row). The
    privacy pages pay one round trip instead of one per model (about sixty)."""
    from django.db.models import Value
    from django.db.models.query import EmptyQuerySet

    layout = {label: _aggregates(d) for label, d in REGISTRY.items()}
    width = max((len(counts) for _n, _c, counts in layout.values()), default=0)
    parts = []
    for label, (_names, _categories, counts) in layout.items():
        rows = REGISTRY[label].rows_for(user)
        if isinstance(rows, EmptyQuerySet) or not counts:
            continue
        padded = counts + [Value(0)] * (width - len(counts))
        columns = {f"c{i}": column for i, column in enumerate(padded)}
        parts.append(
            rows.order_by()
            .annotate(model_label=Value(label))
            .values("model_label")
            .annotate(**columns)
            .values_list("model_label", *columns)
        )
    found: dict[str, list[int]] = {}
    if parts:
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        found = {row[0]: list(row[1:]) for row in query}
    return {
        label: _as_holdings(names, categories, found.get(label, [0] * width))
        for label, (names, categories, _counts) in layout.items()
    }


def records_about(user: Person) -> dict[Category, int]:
    """How many records we hold about ``user``, per category.

    A record counts in a category when it holds a value of that category: a user row holds
    both your name (professional) and your sign-in history (platform), so it counts in both.
    """
    return _per_category(all_holdings(user))


def _per_category(held: dict[str, Holdings]) -> dict[Category, int]:
    counts = dict.fromkeys(Category, 0)
    for found in held.values():
        for category, number in found.per_category.items():
            counts[category] += number
    return counts


def data_map(user: Person | None = None) -> list[dict[str, Any]]:
    """Categories → kinds of data, in plain language, with purpose, basis, retention, erasure
    and who sees them. Never a column or model name: those are for ``markdown_summary``.

    With ``user``, each category and entry carries the number of records held about that user.
    Built from the registry alone: a new declaration appears here without further work.
    """
    held = all_holdings(user) if user is not None else {}
    counts = _per_category(held) if user is not None else None
    result = []
    for category in Category:
        entries = []
        for declaration in sorted(REGISTRY.values(), key=lambda d: d.label):
            for f in declaration.fields.values():
                if f.category != category:
                    continue
                entry: dict[str, Any] = {
                    "record": declaration.record,
                    "label": f.label,
                    "purpose": f.purpose,
                    "basis": f.basis,
                    "basis_text": LAWFUL_BASES.get(f.basis, f.basis),
                    "visible_to": list(f.visible_to),
                    "retention": f.retention,
                    "erasure": str(f.erasure),
                    "erasure_text": ERASURE_TEXT[f.erasure],
                }
                if user is not None:
                    entry["records"] = held[declaration.label].per_field[f.name]
                entries.append(entry)
        item: dict[str, Any] = {
            "category": str(category),
            "label": category.label,
            "examples": category.examples,
            "fields": entries,
        }
        if counts is not None:
            item["records"] = counts[category]
        result.append(item)
    return result


def markdown_summary() -> str:
    """The data map as a Markdown table, for ``docs/privacy.md`` (kept in sync by a test)."""
    lines = [
        "| category | record · field | what | purpose | basis | who can see it | retention "
        "| erasure |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for category in Category:
        for declaration in sorted(REGISTRY.values(), key=lambda d: d.label):
            for f in declaration.fields.values():
                if f.category != category:
                    continue
                seen = ", ".join(f.visible_to) or "nobody (system only)"
                text = " (free text)" if f.free_text else ""
                uses = "".join(f"; also {USES.get(u, u)}, with consent" for u in f.uses)
                lines.append(
                    f"| {category.label} | `{declaration.label}`·`{f.name}` | "
                    f"{declaration.record}: {f.label}{text} | {f.purpose}{uses} | {f.basis} | "
                    f"{seen} | "
                    f"{f.retention} | {f.erasure} |"
                )
    return "\n".join(lines)
