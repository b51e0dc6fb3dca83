"""Impact analysis: whose data a compromised account, or a time window, touched.

Given an actor (the account believed compromised), a time window and optionally some data
categories, the log is grouped in the database by subject pseudonym and category — one
aggregate query, whatever its size — and the pseudonyms are then re-identified with the keys:
the caller names the people who could be among them (``candidates``, user ids), and only those
are recognised (``pseudonyms.pseudonyms_of``). Subjects erased since, or outside the candidates,
are counted, never named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from mentorhaven.kernel.audit.pseudonyms import ERASED, SYSTEM, pseudonyms_of
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.kernel.people import PersonRef


@dataclass
class Touched:
    user_id: int
    categories: set[str] = field(default_factory=set)
    events: int = 0


@dataclass
class Impact:
    subjects: dict[int, Touched]  # user id -> what of theirs was touched
    events: int  # every event matched (named subjects or not)
    erased_events: int  # about people erased since: they cannot be told
    unidentified_events: int  # about pseudonyms none of the candidates has


def impact(
    *,
    candidates: Iterable[int],
    actor: PersonRef | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    categories: Iterable[str] = (),
) -> Impact:
    """Whose data the events matching (``actor``, ``since`` <= time < ``until``,
    ``categories``) are about, and which categories. With no actor, every actor's events in the
    window count (a breach of a system rather than of an account). An actor never recorded, or
    erased, matched nothing."""
    events = AuditEvent.objects.exclude(subject__in=("", SYSTEM))
    if actor is not None:
        found = pseudonyms_of([actor if isinstance(actor, int) else actor.pk])
        if not found:
            return Impact({}, 0, 0, 0)
        events = events.filter(actor__in=list(found))
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    wanted = [c for c in categories if c]
    if wanted:
        events = events.filter(category__in=wanted)
    rows = list(events.values_list("subject", "category").annotate(n=Count("id")).order_by())
    known = pseudonyms_of(candidates)
    result = Impact({}, 0, 0, 0)
    for subject, category, n in rows:
        result.events += n
        if subject == ERASED:
            result.erased_events += n
            continue
        user_id = known.get(subject)
        if user_id is None:
            result.unidentified_events += n
            continue
        touched = result.subjects.setdefault(user_id, Touched(user_id))
        touched.events += n
        if category:
            touched.categories.add(category)
    return result
