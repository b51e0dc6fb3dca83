"""May MentorHaven process this person's data for this purpose, now? The one helper that the
matching engine, reminders and analytics ask, so a withdrawal or a restriction takes effect in
all of them at once.

* A person with an active restriction (a dispute is open) is left out of everything here:
  matching, analytics and reminders.
* Matching with sensitive answers, engagement analytics and AI features need the person's
  current consent to that purpose; plain matching (on non-sensitive answers) and reminders are
  part of taking part in a program and need no consent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.models import Restriction
from mentorhaven.consent.selectors import consenting

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MATCHING = "matching"
REMINDERS = "reminders"
NEEDS_CONSENT = {Purpose.MATCHING_SENSITIVE, Purpose.ANALYTICS, Purpose.AI}
KNOWN = {MATCHING, REMINDERS, *NEEDS_CONSENT}


def restricted(user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who restricted processing of their data (one query).

    Restrictions in force are few (one an open dispute, found by their partial unique index),
    while ``user_ids`` may be a whole program: so this reads the ones in force and keeps those
    asked about, rather than sending thousands of ids to the database (the matching console
    of a program of 2,000 spent most of its time on that list)."""
    ids = set(user_ids)
    if not ids:
        return set()
    active = Restriction.objects.filter(lifted_at__isnull=True).values_list("user_id", flat=True)
    return ids & set(active)


def allowed(purpose: str, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` whose data may be processed for ``purpose`` now (two queries at
    most, whatever the number of people)."""
    if purpose not in KNOWN:
        raise ValueError(f"unknown processing purpose {purpose!r}")
    ids = set(user_ids)
    ids -= restricted(ids)
    if purpose in NEEDS_CONSENT:
        ids = consenting(purpose, ids)
    return ids


def may_process(user: User, purpose: str) -> bool:
    return user is not None and user.pk in allowed(purpose, [user.pk])
