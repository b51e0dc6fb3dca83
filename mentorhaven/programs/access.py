"""Who may see or run a program, and whom a client may name inside one.

Programs and memberships are the facts most other rules start from: a program's admins run it,
its organization's admins, auditors and security officers oversee it, and its participants see
it. The querysets below filter in the query, so selectors never load what the viewer may not see.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.kernel.access import fetch, is_person, parse_public_id
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.models import Membership, OrgMembership, Program

# Organization roles that oversee every program of their organization (program metadata).
OVERSIGHT_ORG_ROLES = (
    OrgMembership.Role.ORG_ADMIN,
    OrgMembership.Role.AUDITOR,
    OrgMembership.Role.SECURITY_OFFICER,
)


def visible_programs(viewer: Any) -> QuerySet[Program]:
    """Programs the viewer takes part in, or oversees as an admin, auditor or security officer
    of their organization (program metadata only; what is inside is ruled elsewhere)."""
    if not is_person(viewer):
        return Program.objects.none()
    overseen = OrgMembership.objects.filter(user=viewer, role__in=OVERSIGHT_ORG_ROLES).values(
        "organization_id"
    )
    return Program.objects.filter(
        Q(memberships__user=viewer) | Q(organization_id__in=overseen)
    ).distinct()


def administered_programs(viewer: Any) -> QuerySet[Program]:
    """Programs the viewer runs: program admins of the program, org admins of its organization."""
    if not is_person(viewer):
        return Program.objects.none()
    org_ids = OrgMembership.objects.filter(user=viewer, role=OrgMembership.Role.ORG_ADMIN).values(
        "organization_id"
    )
    program_ids = Membership.objects.filter(user=viewer, role=Membership.Role.PROGRAM_ADMIN).values(
        "program_id"
    )
    return Program.objects.filter(Q(organization_id__in=org_ids) | Q(pk__in=program_ids))


def access_program(viewer: Any, public_id: Any, *, write: bool = False) -> Program:
    """The program with ``public_id`` if the viewer may see it (``visible_programs``), else
    NotFound. With ``write=True`` the viewer must also run it (``administered_programs``), else
    PermissionDenied. A malformed id is answered like a missing one.
    """
    return fetch(
        visible_programs(viewer).select_related("organization"),
        public_id,
        write=write,
        writable=administered_programs(viewer),
    )


def access_participant(program: Program, public_id: Any, *, roles: Collection[str]) -> User:
    """The person a client names (by public id) as one of ``roles`` in ``program``, or NotFound.

    ``program`` has already been accessed by the viewer. Anyone else — a person of another
    organization, someone of this program in another role, an unknown or malformed id — gets the
    same NotFound, decided by one query that does not depend on whether that person exists, so
    naming a stranger teaches nothing about them.
    """
    person = (
        User.objects.filter(
            public_id=parse_public_id(public_id),
            is_active=True,
            memberships__program=program,
            memberships__role__in=list(roles),
        )
        .distinct()
        .first()
    )
    if person is None:
        raise NotFound()
    return person
