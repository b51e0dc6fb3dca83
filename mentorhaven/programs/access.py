"""Who may see or run a program, and whom a client may name inside one.

Programs and memberships are the facts most other rules start from: a program's admins run it,
its organization's admins, auditors and security officers oversee it, and its participants see
it. The querysets below filter in the query, so selectors never load what the viewer may not see.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel.access import fetch, is_person, parse_public_id
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied
from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program

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
    # Two semi-joins on the viewer's own rows: a join to every membership of the program would
    # visit all of its participants (and need DISTINCT) on every page that names a program.
    taken_part = Membership.objects.filter(user=viewer).values("program_id")
    return Program.objects.filter(Q(pk__in=taken_part) | Q(organization_id__in=overseen))


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


def org_admin_programs(viewer: Any) -> QuerySet[Program]:
    """Programs whose organization the viewer administers: the only ones whose settings they
    may change (a program admin runs a program but does not set it up)."""
    if not is_person(viewer):
        return Program.objects.none()
    org_ids = OrgMembership.objects.filter(user=viewer, role=OrgMembership.Role.ORG_ADMIN).values(
        "organization_id"
    )
    return Program.objects.filter(organization_id__in=org_ids)


def access_program_setup(
    viewer: Any, *, public_id: Any = None, slug: str | None = None, write: bool = False
) -> Program:
    """The program named by ``public_id`` (pages) or ``slug`` (the API) if the viewer may see it
    (``visible_programs``), else NotFound; with ``write=True`` the viewer must administer its
    organization, else PermissionDenied: its members see it but may not change it.
    """
    visible = visible_programs(viewer).select_related("organization")
    if slug is None:
        return fetch(visible, public_id, write=write, writable=org_admin_programs(viewer))
    program = visible.filter(slug=slug[:80]).first()
    if program is None:
        raise NotFound()
    if write and not org_admin_programs(viewer).filter(pk=program.pk).exists():
        raise PermissionDenied()
    return program


def administered_organizations(viewer: Any) -> QuerySet[Organization]:
    """Organizations the viewer is an admin of."""
    if not is_person(viewer):
        return Organization.objects.none()
    return Organization.objects.filter(
        members__user=viewer, members__role=OrgMembership.Role.ORG_ADMIN
    ).distinct()


def access_organization_admin(viewer: Any, public_id: Any) -> Organization:
    """The organization with ``public_id`` if the viewer administers it, else NotFound (the same
    for its other members, strangers and ids that do not exist)."""
    return fetch(administered_organizations(viewer), public_id)


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


def ensure_program_open(program: Program | int) -> None:
    """Conflict (code ``archived``) when ``program`` is archived: nothing new is written inside
    it any more — relationships, requests, match runs, goals, meetings, notes, messages, files,
    invitations — while everything already there stays readable (the records are kept).

    Each family of write services calls it once, in its shared check, after the access check
    (so a viewer who may not see the program still gets NotFound). Read from the database, not
    from the caller's copy: the program may have been archived since it was loaded."""
    program_id = program if isinstance(program, int) else program.pk
    if Program.objects.filter(pk=program_id, archived_at__isnull=False).exists():
        raise Conflict(
            _("This program is archived: its records can be read, nothing new can be added."),
            code="archived",
        )
