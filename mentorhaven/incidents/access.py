"""Who handles incidents: the security officers of the incident's organization, and nobody
else. Org admins, auditors and participants do not reach the register: an incident names the
account suspected and what the officers found, which is theirs to handle."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mentorhaven.incidents.models import Alert, Incident
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.programs.models import Organization, OrgMembership


def officer_organizations(viewer: Any) -> QuerySet[Organization]:
    """The organizations whose security officer the viewer is."""
    if not is_person(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(
        members__user=viewer, members__role=OrgMembership.Role.SECURITY_OFFICER
    ).distinct()


def visible_incidents(viewer: Any) -> QuerySet[Incident]:
    return Incident.objects.filter(organization__in=officer_organizations(viewer))


def access_incident_organization(viewer: Any, public_id: Any) -> Organization:
    """An organization the viewer is a security officer of, else NotFound."""
    return fetch(officer_organizations(viewer), public_id)


def access_incident(viewer: Any, public_id: Any, *, write: bool = False) -> Incident:
    """An incident of an organization the viewer is a security officer of, else NotFound (the
    same answer as for an incident that does not exist). Every officer who sees it may act."""
    visible = visible_incidents(viewer).select_related("organization", "account")
    return fetch(visible, public_id, write=write, writable=visible)


def access_alert(viewer: Any, public_id: Any, *, write: bool = False) -> Alert:
    """A monitoring alert of an organization the viewer is a security officer of, else
    NotFound."""
    visible = Alert.objects.filter(organization__in=officer_organizations(viewer)).select_related(
        "organization", "account"
    )
    return fetch(visible, public_id, write=write, writable=visible)
