"""Who may see and change retention: an organization's admins, for their organization only.
Auditors and security officers oversee (they see the page, they change nothing)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.programs.access import OVERSIGHT_ORG_ROLES
from mentorhaven.programs.models import Organization, OrgMembership
from mentorhaven.retention.models import LegalHold


def overseen_organizations(viewer: Any) -> QuerySet[Organization]:
    if not is_person(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(
        members__user=viewer, members__role__in=OVERSIGHT_ORG_ROLES
    ).distinct()


def administered_organizations(viewer: Any) -> QuerySet[Organization]:
    if not is_person(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(
        members__user=viewer, members__role=OrgMembership.Role.ORG_ADMIN
    )


def access_retention_organization(viewer: Any, public_id: Any, *, write: bool = False):
    """The organization whose retention the viewer oversees, else NotFound; with ``write``,
    only its admins (others get PermissionDenied)."""
    return fetch(
        overseen_organizations(viewer),
        public_id,
        write=write,
        writable=administered_organizations(viewer),
    )


def access_legal_hold(viewer: Any, public_id: Any, *, write: bool = False) -> LegalHold:
    """A hold of an organization the viewer oversees, else NotFound; with ``write``, only its
    organization's admins may change it."""
    return fetch(
        LegalHold.objects.filter(organization__in=overseen_organizations(viewer)),
        public_id,
        write=write,
        writable=LegalHold.objects.filter(organization__in=administered_organizations(viewer)),
    )
