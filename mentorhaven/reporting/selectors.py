"""Reads for the program dashboard: raw counts by aggregate queries, released through
``dashboard.health``.

The number of queries does not depend on the program's size: each figure is one aggregate the
database computes (``tests/reporting/test_dashboard.py`` checks it with two program sizes).
Nothing here reads a person's content: counts, statuses, dates and ratings only.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mentorhaven.mentoring.models import Feedback, Goal, Meeting, Relationship
from mentorhaven.programs.models import Membership, Program
from mentorhaven.reporting.access import ReportScope
from mentorhaven.reporting.dashboard import EARLIER, Health, ProgramCounts, health

TREND_MONTHS = 12
STARTED = (
    Relationship.Status.ACTIVE,
    Relationship.Status.PAUSED,
    Relationship.Status.COMPLETED,
    Relationship.Status.ENDED_EARLY,
)


def trend_months(now: datetime | None = None, *, n: int = TREND_MONTHS) -> list[str]:
    """The labels ("2026-01") of the last ``n`` months up to this one, oldest first."""
    now = timezone.localtime(now or timezone.now())
    year, month = now.year, now.month
    labels = []
    for _ in range(n):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def _month(value: datetime | None) -> str:
    if value is None:
        return EARLIER
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year:04d}-{value.month:02d}"


def program_counts(program: Program, *, months: list[str]) -> ProgramCounts:
    """The raw counts of ``program`` (six aggregate queries, whatever its size)."""
    roles = dict(
        Membership.objects.filter(
            program=program, role__in=(Membership.Role.MENTEE, Membership.Role.MENTOR)
        )
        .values_list("role")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    relationships = Relationship.objects.filter(program=program)
    rel = relationships.aggregate(
        **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in Relationship.Status.values},
        matched=Count("mentee", distinct=True, filter=Q(status__in=STARTED)),
        pairs=Count("pk", filter=Q(status__in=STARTED)),
    )
    now = timezone.now()
    held = Meeting.objects.filter(
        relationship__program=program, status=Meeting.Status.SCHEDULED, starts_at__lte=now
    )
    goals = Goal.objects.filter(relationship__program=program).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Goal.Status.DONE)),
        owners=Count("owner", distinct=True),
    )
    ratings = Feedback.objects.filter(meeting__relationship__program=program).aggregate(
        total=Sum("rating"), n=Count("pk"), people=Count("author", distinct=True)
    )
    first = months[0]
    started: dict[str, int] = {}
    for when, n in (
        relationships.filter(status__in=STARTED)
        .annotate(month=TruncMonth("started_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        label = _month(when)
        label = EARLIER if label == EARLIER or label < first else label
        started[label] = started.get(label, 0) + n
    # One pass over the held meetings gives both the total and the pairs who met each month.
    met: dict[str, int] = {}
    meetings_held = 0
    for when, n, pairs_met in (
        held.annotate(month=TruncMonth("starts_at"))
        .values_list("month")
        .annotate(n=Count("pk"), pairs=Count("relationship", distinct=True))
        .order_by()
    ):
        meetings_held += n
        label = _month(when)
        if label >= first:
            met[label] = met.get(label, 0) + pairs_met
    return ProgramCounts(
        mentees=roles.get(Membership.Role.MENTEE, 0),
        mentors=roles.get(Membership.Role.MENTOR, 0),
        statuses={s: rel[f"s_{s}"] for s in Relationship.Status.values},
        matched_mentees=rel["matched"],
        pairs=rel["pairs"],
        meetings_held=meetings_held,
        goals=goals["total"],
        goals_done=goals["done"],
        goal_owners=goals["owners"],
        rating_sum=ratings["total"] or 0,
        ratings=ratings["n"],
        raters=ratings["people"],
        started_by_month=started,
        pairs_met_by_month=met,
    )


def program_health(*, scope: ReportScope) -> Health:
    """The program's dashboard as the viewer of ``scope`` may see it (the caller has passed
    ``access_program_report``)."""
    months = trend_months()
    return health(program_counts(scope.program, months=months), k=scope.k, months=months)
