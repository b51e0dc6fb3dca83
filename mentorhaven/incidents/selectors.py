"""Reads of the incident register, for the security officers who handle it. Showing an
incident's free text (written by officers) is recorded as a read of the writers' data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from mentorhaven.incidents import domain
from mentorhaven.incidents.access import officer_organizations, visible_incidents
from mentorhaven.incidents.models import Alert, Incident, IncidentEntry, IncidentNotice
from mentorhaven.kernel import audit

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

LIST_LIMIT = 200


def notice_counts(*, viewer: User) -> tuple[int, int]:
    """How many security notices the viewer has been sent, and how many they have not read:
    one query, for the navigation (its link shows only to people who have notices)."""
    counts = IncidentNotice.objects.filter(user=viewer).aggregate(
        total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
    )
    return counts["total"], counts["unread"]


def clock_for(incident: Incident, *, now=None) -> domain.RegulatorClock:
    return domain.regulator_clock(
        incident.aware_at, now or timezone.now(), incident.regulator_notified_at
    )


def incidents_for(*, viewer: User) -> list[Incident]:
    """The incidents of the viewer's organizations, open ones first, each with its ``clock``.
    Descriptions are not shown in the list, so nothing is decrypted."""
    found = list(
        visible_incidents(viewer)
        .select_related("organization")
        .defer("description", "affected_systems")
        .order_by("closed_at", "-aware_at")[:LIST_LIMIT]
    )
    now = timezone.now()
    for incident in found:
        incident.clock = clock_for(incident, now=now)  # type: ignore[attr-defined]
    return found


def entries_for(*, viewer: User, incident: Incident) -> list[IncidentEntry]:
    """The incident's log, oldest first (the viewer reached the incident through ``access``);
    reading the description and the entries is recorded for each of their writers."""
    entries = list(incident.entries.select_related("author"))
    writers = {e.author_id for e in entries if e.author_id} | (
        {incident.opened_by_id} if incident.opened_by_id else set()
    )
    audit.record_access(
        viewer=viewer,
        category="platform",
        purpose="Security incident reviewed",
        subjects=sorted(writers),
        target=incident,
        actor_role="security_officer",
        organization=incident.organization_id,
    )
    return entries


def impact_for(*, viewer: User, incident: Incident, since=None, until=None, categories=()) -> dict:
    """Impact analysis from the incident's page: the incident's account (if named) in the
    window, among the members of the incident's organization (an officer names nobody else)."""
    from mentorhaven.accounts.models import User
    from mentorhaven.incidents.impact import build_query, impact_analysis

    members = User.objects.filter(org_memberships__organization=incident.organization_id)
    query = build_query(
        account_email=incident.account.email if incident.account else "",
        since=since,
        until=until,
        categories=categories,
        people=members,
    )
    return impact_analysis(
        actor=viewer,
        query=query,
        candidates=members.distinct(),
        organization=incident.organization_id,
        actor_role="security_officer",
    )


def alerts_for(*, viewer: User) -> list[Alert]:
    """The alerts of the viewer's organizations, open ones first, newest first."""
    return list(
        Alert.objects.filter(organization__in=officer_organizations(viewer))
        .select_related("organization", "account", "incident")
        .order_by("incident_id", "dismissed_at", "-raised_at")[:LIST_LIMIT]
    )
