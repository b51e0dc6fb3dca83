"""Reads of the audit log for pages: the only way the apps look into the audit tables.

``events_about`` (``pseudonyms``) finds one person's events with their key; these group them
for "Who accessed my data" and count them for the auditor's dashboard. Apps never query
``AuditEvent`` themselves, so what leaves the log — pseudonyms resolved only through the
kernel, counts per organization — is decided here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate

from mentorhaven.kernel.audit.pseudonyms import events_about, pseudonym
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent
from mentorhaven.kernel.people import PersonRef

GROUP_FIELDS = ("actor", "actor_role", "action", "purpose", "category", "day")


def access_groups_about(
    user: PersonRef, *, include_own: bool = True, withheld: tuple[str, ...] = ()
) -> QuerySet[AuditEvent, dict[str, Any]]:
    """The events about ``user``, grouped by reader, role, action, purpose, kind of data and
    day, newest group first: dicts with those fields and ``count``, ``first_at``, ``last_at``.
    A person read a hundred times by their mentor on one day sees one line, not a hundred.
    Nothing for someone erased or never recorded; nothing of the ``withheld`` actions."""
    events = events_about(user).exclude(action__in=withheld)
    if not include_own:
        events = events.exclude(actor=pseudonym(user))
    groups: QuerySet[AuditEvent, dict[str, Any]] = (
        events.annotate(day=TruncDate("occurred_at"))
        .values(*GROUP_FIELDS)
        .annotate(count=Count("id"), first_at=Min("occurred_at"), last_at=Max("occurred_at"))
        .order_by("-last_at", "action")
    )
    return groups


def event_counts_by_organization(
    organization_ids: list[int], *, since: datetime
) -> list[tuple[int, str, int, int]]:
    """(organization id, category, events, events since ``since``) for the given
    organizations: one aggregate query, no person named."""
    rows = (
        AuditEvent.objects.filter(organization_id__in=organization_ids)
        .values("organization_id", "category")
        .annotate(events=Count("pk"), recent=Count("pk", filter=Q(occurred_at__gte=since)))
        .order_by()
    )
    return [
        (cast(int, row["organization_id"]), row["category"], row["events"], row["recent"])
        for row in rows
    ]


def last_checkpoint() -> AuditCheckpoint | None:
    """The newest signed checkpoint (when the log's tail was last signed)."""
    return AuditCheckpoint.objects.order_by("-seq").first()


def recent_events_about(
    user: PersonRef, *, actions: tuple[str, ...], limit: int = 10
) -> list[AuditEvent]:
    """The newest events of ``actions`` about ``user`` (e.g. their sign-ins), newest first."""
    return list(events_about(user).filter(action__in=actions)[:limit])
