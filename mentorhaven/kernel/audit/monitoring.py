"""Counts for monitoring: how often each actor (or subject) appears in some actions lately.

Monitoring rules (``incidents/monitoring.py``) ask, every few minutes, questions such as "who
read more than 50 people's data in the last 15 minutes" or "whose sign-ins failed ten times".
This answers them with one aggregate query per rule, by pseudonym; the caller re-identifies the
few pseudonyms over a threshold with ``resolve_actors``. Nothing here names anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count

from mentorhaven.kernel.audit.pseudonyms import ERASED, SYSTEM
from mentorhaven.kernel.models import AuditEvent

GROUPS = ("actor", "subject")


def activity(
    *,
    actions: Iterable[str],
    since: datetime,
    until: datetime | None = None,
    by: str = "actor",
    distinct_subjects: bool = False,
    at_least: int = 1,
) -> dict[str, int]:
    """Pseudonym (of the ``by`` field) → number of events of ``actions`` in [since, until), or
    of distinct subjects they concern; only those at or over ``at_least``."""
    if by not in GROUPS:
        raise ValueError(f"group by one of {GROUPS}")
    events = AuditEvent.objects.filter(action__in=list(actions), occurred_at__gte=since).exclude(
        **{f"{by}__in": ("", SYSTEM, ERASED)}
    )
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    counted = Count("subject", distinct=True) if distinct_subjects else Count("id")
    rows = events.values_list(by).annotate(n=counted).filter(n__gte=at_least).order_by()
    return dict(rows)
