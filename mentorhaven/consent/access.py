"""Who may see data requests.

* A person sees their own requests.
* The data-protection officers of an organization see and handle that organization's requests;
  nobody else does — not its admins, not officers of another organization.
* Anything else is NotFound: a request that does not exist and one the viewer may not see
  answer alike.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from mentorhaven.consent.models import DataProtectionOfficer, DataRequest, Restriction
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.programs.models import Organization

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def dpo_organizations(viewer: User) -> QuerySet[Organization]:
    if not getattr(viewer, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=DataProtectionOfficer.objects.filter(user=viewer).values("organization_id")
    )


def access_request_queue(viewer: User) -> QuerySet[Organization]:
    """The organizations whose queue the viewer works, or NotFound when there are none."""
    organizations = dpo_organizations(viewer)
    if not organizations.exists():
        raise NotFound()
    return organizations


def _uuid(public_id) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc


def access_data_request(viewer: User, public_id, *, write: bool = False) -> DataRequest:
    """The request, for its requester (read only) or its organization's officers; else
    NotFound. A requester asking to write gets PermissionDenied."""
    found = (
        DataRequest.objects.filter(public_id=_uuid(public_id))
        .select_related("organization", "requester")
        .first()
    )
    if found is None or not getattr(viewer, "is_authenticated", False):
        raise NotFound()
    is_officer = dpo_organizations(viewer).filter(pk=found.organization_id).exists()
    if is_officer:
        return found
    if found.requester_id == viewer.pk:
        if write:
            raise PermissionDenied()
        return found
    raise NotFound()


def access_restriction(viewer: User, public_id) -> Restriction:
    """The viewer's own restriction (they may lift it), or NotFound."""
    found = Restriction.objects.filter(public_id=_uuid(public_id), user_id=viewer.pk).first()
    if found is None:
        raise NotFound()
    return found
