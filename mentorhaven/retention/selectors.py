"""Reads for the retention page: the policies in force, what the next 30 days will delete and
why, and the legal holds. Counts about people are k-anonymous; a hold's reason is audited when
shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.mentoring.domain import DEFAULT_MIN_GROUP_SIZE
from mentorhaven.programs.models import Organization
from mentorhaven.retention import domain, holds
from mentorhaven.retention.models import LegalHold, RetentionPolicy
from mentorhaven.retention.registry import Context, sweepers

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

FORECAST_DAYS = 30


@dataclass(frozen=True)
class PolicyRow:
    kind: str
    label: object
    clock: object
    days: int
    default_days: int
    min_days: int
    max_days: int
    program_overrides: int
    swept: bool


@dataclass(frozen=True)
class ForecastRow:
    kind: str
    label: object
    clock: object
    days: int
    count: int | None  # None: fewer than ``k`` (suppressed)
    groups: int | None
    about_people: bool


def sweep_context(now: datetime | None = None) -> Context:
    """What a sweep run (and the forecast) needs to know: the time, what is under legal hold,
    and every organization's and program's chosen periods."""
    overrides: dict[str, dict[tuple[str, int], int]] = {}
    for org, program, kind, days in RetentionPolicy.objects.values_list(
        "organization_id", "program_id", "category", "days"
    ):
        key = ("program", program) if program else ("org", org)
        overrides.setdefault(kind, {})[key] = days
    return Context(
        now=now or timezone.now(),
        held_users=holds.held_user_ids(),
        held_relationships=holds.held_relationship_ids(),
        held_cases=holds.held_case_ids(),
        overrides=overrides,
    )


def policies_for(*, viewer: User, organization: Organization) -> list[PolicyRow]:
    """Every kind's period in ``organization`` (the viewer oversees it: see ``access``)."""
    mine = {
        (p.category, p.program_id is not None): p
        for p in RetentionPolicy.objects.filter(organization=organization)
    }
    overrides = RetentionPolicy.objects.filter(
        organization=organization, program__isnull=False
    ).values_list("category", flat=True)
    swept = {s.kind for s in sweepers()}
    rows = []
    for kind, rule in domain.RULES.items():
        own = mine.get((kind, False))
        rows.append(
            PolicyRow(
                kind=kind,
                label=rule.label,
                clock=rule.clock,
                days=own.days if own else rule.default_days,
                default_days=rule.default_days,
                min_days=rule.min_days,
                max_days=rule.max_days,
                program_overrides=sum(1 for c in overrides if c == kind),
                swept=kind in swept,
            )
        )
    return rows


def forecast_for(*, viewer: User, organization: Organization) -> list[ForecastRow]:
    """What the sweeps will delete in ``organization`` within ``FORECAST_DAYS``, per kind, with
    the rule that makes it due. Counts that concern people (messages, notes, accounts) are
    shown only when they involve at least ``DEFAULT_MIN_GROUP_SIZE`` people or relationships:
    "3 accounts will be erased" would point at three people an admin may know."""
    ctx = sweep_context()
    until = ctx.now + timedelta(days=FORECAST_DAYS)
    k = DEFAULT_MIN_GROUP_SIZE
    rows = []
    for sweeper in sweepers():
        rule = domain.RULES[sweeper.kind]
        found = [d for d in sweeper.due(ctx, until) if d.organization_id == organization.pk]
        count = sum(d.count for d in found)
        groups = sum(d.people for d in found)
        shown = domain.k_anonymous(groups, k) if rule.about_people else count
        rows.append(
            ForecastRow(
                kind=sweeper.kind,
                label=rule.label,
                clock=rule.clock,
                days=ctx.days(sweeper.kind, organization_id=organization.pk),
                count=count if shown is not None else None,
                groups=shown if rule.about_people else None,
                about_people=rule.about_people,
            )
        )
    return rows


def holds_for(*, viewer: User, organization: Organization) -> list[LegalHold]:
    """The organization's holds, active first; reading their reasons is recorded."""
    found = list(
        LegalHold.objects.filter(organization=organization)
        .select_related("user", "relationship", "case", "placed_by")
        .order_by("released_at", "-placed_at")[:200]
    )
    audit.record_access(
        viewer=viewer,
        category="program",
        purpose="Legal holds reviewed",
        subjects=[h.placed_by for h in found],
        organization=organization,
    )
    return found
