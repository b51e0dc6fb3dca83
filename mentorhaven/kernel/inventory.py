"""The inventory: every personal-data field we keep, why, for whom and for how long.

Each app declares its fields in its own ``inventory.py`` (imported when the kernel is ready)::

    from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

    declare("accounts.ApiToken", [
        Field("user", Category.PLATFORM, purpose="Whose token this is",
              basis="contract", visible_to=("self",), retention="until revoked + 30 days",
              erasure=Erasure.DELETE, subject=True),
        Field("name", Category.PLATFORM, purpose="Label you chose for the token", ...),
    ])

The subject of a row (whose data it is) is found through the field flagged ``subject=True``, or
through ``declare(..., subject="path__to__user")`` / ``subject=callable(user) -> Q`` when the link
is indirect (an e-mail address, a pseudonym). A model without a personal field but with a
harmless user link, or a field whose name only sounds personal (``Program.name``), is exempted
with a reason through ``exempt``.

The "what we keep about you" page, the data-map API, exports, retention and erasure are all
generated from these declarations, and the system check in ``kernel/checks.py`` fails start-up
(and the suite) when a model has a user link or a personal-sounding field that is not declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet


class Category(StrEnum):
    """The brief's sensitivity table, most sensitive first (``SENSITIVITY`` below)."""

    PROFESSIONAL = "professional"  # job positions, reviews, promotions; name and work e-mail
    PERSONAL = "personal"  # health, stress, family matters
    PROGRAM = "program"  # membership records, events, participation
    PLATFORM = "platform"  # messages, video calls, shared files; sign-in and session records
    ANALYTICAL = "analytical"  # AI insights, predictive analytics, match scores

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self][0]

    @property
    def examples(self) -> str:
        return CATEGORY_LABELS[self][1]


CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.PROFESSIONAL: ("Professional", "your name, work e-mail, role, career goals"),
    Category.PERSONAL: ("Personal", "health, stress, family matters you choose to share"),
    Category.PROGRAM: ("Program", "memberships, invitations, events, participation"),
    Category.PLATFORM: ("Platform", "messages, files, sign-in and session records"),
    Category.ANALYTICAL: ("Analytical", "match scores and their explanations"),
}

# Most sensitive first: a model holding several categories is guarded as its most sensitive one.
SENSITIVITY: tuple[Category, ...] = (
    Category.PERSONAL,
    Category.PLATFORM,
    Category.ANALYTICAL,
    Category.PROFESSIONAL,
    Category.PROGRAM,
)


class Erasure(StrEnum):
    SHRED = "shred"  # encrypted under the subject's key: destroyed with the key
    DELETE = "delete"  # the row is deleted
    ANONYMIZE = "anonymize"  # the value is replaced; the row stays for others' records


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
    subject: bool = False  # this field is the link to the data subject of the row


SubjectLookup = str | Callable[[Any], Q]


@dataclass
class ModelDeclaration:
    model: str  # "app_label.ModelName"
    fields: dict[str, Field] = field(default_factory=dict)
    description: str = ""
    subject: SubjectLookup | None = None  # how to find a subject's rows when no field is flagged

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

    def subject_filter(self, user) -> Q | None:
        """A filter selecting the rows that are about ``user``, or ``None`` if undefined."""
        if callable(self.subject):
            return self.subject(user)
        path = self.subject_path()
        if path is None:
            return None
        value = user.pk if path.rsplit("__", 1)[-1] in ("pk", "id") else user
        return Q(**{path: value})

    def rows_for(self, user) -> QuerySet:
        condition = self.subject_filter(user)
        manager = self.model_class()._default_manager
        return manager.none() if condition is None else manager.filter(condition)

    def subject_of(self, obj: Model):
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


def declare(
    model: str,
    fields: Iterable[Field],
    *,
    description: str = "",
    subject: SubjectLookup | None = None,
) -> ModelDeclaration:
    """Declare (or extend) the personal-data fields of ``model`` ("app_label.ModelName")."""
    key = model.lower()
    declaration = REGISTRY.setdefault(key, ModelDeclaration(model=model))
    for f in fields:
        declaration.fields[f.name] = f
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


def records_about(user) -> dict[Category, int]:
    """How many records we hold about ``user``, per category.

    A row of a model that holds several categories counts once in each of them: a user row holds
    both your name (professional) and your sign-in history (platform).
    """
    return _per_category(_rows_per_model(user))


def _rows_per_model(user) -> dict[str, int]:
    return {label: d.rows_for(user).count() for label, d in REGISTRY.items()}


def _per_category(rows: dict[str, int]) -> dict[Category, int]:
    counts = dict.fromkeys(Category, 0)
    for label, declaration in REGISTRY.items():
        for category in declaration.categories():
            counts[category] += rows.get(label, 0)
    return counts


def data_map(user=None) -> list[dict[str, Any]]:
    """Categories → fields with purpose, basis, retention, erasure and who sees them.

    With ``user``, each category and field carries the number of records held about that user.
    Built from the registry alone: a new declaration appears here without further work.
    """
    row_counts = _rows_per_model(user) if user is not None else {}
    counts = _per_category(row_counts) if user is not None else None
    result = []
    for category in Category:
        entries = []
        for declaration in sorted(REGISTRY.values(), key=lambda d: d.label):
            for f in declaration.fields.values():
                if f.category != category:
                    continue
                entry: dict[str, Any] = {
                    "model": declaration.label,
                    "record": model_title(declaration),
                    "field": f.name,
                    "label": field_title(declaration, f.name),
                    "purpose": f.purpose,
                    "basis": f.basis,
                    "basis_text": LAWFUL_BASES.get(f.basis, f.basis),
                    "visible_to": list(f.visible_to),
                    "retention": f.retention,
                    "erasure": str(f.erasure),
                }
                if user is not None:
                    entry["records"] = row_counts[declaration.label]
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


def model_title(declaration: ModelDeclaration) -> str:
    try:
        return str(declaration.model_class()._meta.verbose_name).capitalize()
    except LookupError:
        return declaration.model


def field_title(declaration: ModelDeclaration, name: str) -> str:
    try:
        found = declaration.model_class()._meta.get_field(name)
        return str(getattr(found, "verbose_name", name)).capitalize()
    except Exception:  # an undeclared name is reported by the system check, not here
        return name.replace("_", " ").capitalize()


def markdown_summary() -> str:
    """The data map as a Markdown table, for ``docs/privacy.md`` (kept in sync by a test)."""
    lines = [
        "| category | record · field | purpose | basis | who can see it | retention | erasure |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for item in data_map():
        for e in item["fields"]:
            seen = ", ".join(e["visible_to"]) or "nobody (system only)"
            lines.append(
                f"| {item['label']} | `{e['model']}`·`{e['field']}` | {e['purpose']} | "
                f"{e['basis']} | {seen} | {e['retention']} | {e['erasure']} |"
            )
    return "\n".join(lines)
