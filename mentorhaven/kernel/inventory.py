"""The inventory: every personal-data field we keep, why, for whom and for how long.

Each app declares its fields in its own ``inventory.py`` (imported when the app is ready)::

    from mentorhaven.kernel.inventory import Category, Erasure, Field, declare

    declare("accounts.User", [
        Field("email", Category.PROFESSIONAL, purpose="Sign-in and notices",
              basis="contract", visible_to=("self", "program_admin", "org_admin"),
              retention="account lifetime", erasure=Erasure.ANONYMIZE),
    ])

The "what we keep about you" page, the data-map API, exports, retention and erasure are all
generated from these declarations, and a system check fails start-up (and the suite) when a
model has a user foreign key or a personal field that is not declared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The brief's sensitivity table."""

    PROFESSIONAL = "professional"  # job positions, reviews, promotions
    PERSONAL = "personal"  # health, stress, family matters
    PROGRAM = "program"  # membership records, events, participation
    PLATFORM = "platform"  # messages, video calls, shared files
    ANALYTICAL = "analytical"  # AI insights, predictive analytics


class Erasure(StrEnum):
    SHRED = "shred"  # encrypted under the subject's key: destroyed with the key
    DELETE = "delete"  # the row is deleted
    ANONYMIZE = "anonymize"  # the value is replaced; the row stays for others' records


@dataclass(frozen=True)
class Field:
    name: str
    category: Category
    purpose: str
    basis: str  # lawful basis: contract, consent, legitimate_interest, legal_obligation
    visible_to: tuple[str, ...]
    retention: str
    erasure: Erasure
    subject: bool = False  # this field is the foreign key to the data subject of the row


@dataclass
class ModelDeclaration:
    model: str  # "app_label.ModelName"
    fields: dict[str, Field] = field(default_factory=dict)
    description: str = ""


REGISTRY: dict[str, ModelDeclaration] = {}


def declare(model: str, fields: list[Field], *, description: str = "") -> ModelDeclaration:
    key = model.lower()
    declaration = REGISTRY.setdefault(key, ModelDeclaration(model=model, description=description))
    for f in fields:
        declaration.fields[f.name] = f
    if description:
        declaration.description = description
    return declaration


def exempt(model: str, reason: str) -> None:
    """Mark a model that has a user link but holds no personal data of its own (rare)."""
    EXEMPT[model.lower()] = reason


EXEMPT: dict[str, str] = {}
