"""The categories of personal data, in the brief's sensitivity table.

A vocabulary with no dependencies: the inventory (``inventory.py``) files every declared field
under one, and the audit action registry (``audit/actions.py``) files every action under one,
without either importing the other.
"""

from __future__ import annotations

from enum import StrEnum


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
