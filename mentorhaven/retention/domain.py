"""Retention rules as plain data and functions: the categories, their defaults and the bounds
within which an organization may change them, and the deadlines they imply. No ORM here.

Defaults (issue 10): messages, notes and the files shared in a relationship 24 months after it
ends; inactive accounts warned at 17 months and erased at 18; share links when they expire;
exports after 7 days; audit events 6 years. An organization's admins may move each within its
bounds — the lower bound keeps what the law or safety needs, the upper bound keeps "only as long
as needed" true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

MONTH = 30  # days: "24 months" is 720 days, a little under two calendar years, never over


class Kind(StrEnum):
    """A kind of record with its own retention rule (the policies' ``category``)."""

    MESSAGES = "messages"
    NOTES = "notes"
    FILES = "files"
    INACTIVE_ACCOUNTS = "inactive_accounts"
    SHARE_LINKS = "share_links"
    EXPORTS = "exports"
    AUDIT_EVENTS = "audit_events"


@dataclass(frozen=True)
class Rule:
    kind: str  # a ``Kind``, or a kind another app registers (``registry.register_sweeper``)
    label: object  # lazy translation
    clock: object  # what the period counts from, in words (lazy)
    inventory_category: str  # the inventory's category of the data (kernel/inventory.py)
    default_days: int
    min_days: int
    max_days: int
    about_people: bool  # counts of it single out people: shown k-anonymous
    # How long before deletion the person is warned (inactive accounts), else 0.
    warn_days_before: int = 0


RULES: dict[str, Rule] = {
    r.kind: r
    for r in (
        Rule(
            Kind.MESSAGES,
            _("Messages"),
            _("after the relationship ended"),
            "platform",
            24 * MONTH,
            3 * MONTH,
            72 * MONTH,
            about_people=True,
        ),
        Rule(
            Kind.NOTES,
            _("Session notes"),
            _("after the relationship ended"),
            "platform",
            24 * MONTH,
            3 * MONTH,
            72 * MONTH,
            about_people=True,
        ),
        Rule(
            Kind.FILES,
            _("Shared files"),
            _("after the relationship ended"),
            "platform",
            24 * MONTH,
            3 * MONTH,
            72 * MONTH,
            about_people=True,
        ),
        Rule(
            Kind.INACTIVE_ACCOUNTS,
            _("Inactive accounts"),
            _("after the last sign-in (warned a month before)"),
            "professional",
            18 * MONTH,
            6 * MONTH,
            36 * MONTH,
            about_people=True,
            warn_days_before=MONTH,
        ),
        Rule(
            Kind.SHARE_LINKS,
            _("Share links"),
            _("after the link expired or was revoked"),
            "platform",
            0,
            0,
            90,
            about_people=False,
        ),
        Rule(
            Kind.EXPORTS,
            _("Data exports"),
            _("after the export was made"),
            "platform",
            7,
            1,
            30,
            about_people=False,
        ),
        Rule(
            Kind.AUDIT_EVENTS,
            _("Audit events"),
            _("after the event"),
            "platform",
            6 * 365,
            6 * 365,
            10 * 365,
            about_people=False,
        ),
    )
}


class OutOfBounds(ValueError):
    pass


def check_days(kind: str, days: int) -> int:
    """``days`` if it lies within the bounds of ``kind``, else ``OutOfBounds``."""
    rule = RULES.get(str(kind))
    if rule is None:
        raise OutOfBounds(kind)
    if not isinstance(days, int) or isinstance(days, bool):
        raise OutOfBounds(kind)
    if not rule.min_days <= days <= rule.max_days:
        raise OutOfBounds(kind)
    return days


def cutoff(now: datetime, days: int) -> datetime:
    """Records whose clock started at or before this moment are due for deletion."""
    return now - timedelta(days=days)


def warn_cutoff(now: datetime, kind: str, days: int) -> datetime:
    """Records whose clock started at or before this moment are due for a warning."""
    return now - timedelta(days=max(0, days - RULES[str(kind)].warn_days_before))


def k_anonymous(count: int, k: int) -> int | None:
    """A count about people as an admin may see it: None (shown "fewer than k") when it is
    above zero but below ``k``, so that a small figure cannot single anybody out."""
    return count if count == 0 or count >= k else None
