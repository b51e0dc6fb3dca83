"""Who may see or act on a library resource.

The library is for a program's people. Those who run the program (its program admins and its
organization's admins) see every resource, archived ones too, and create, edit and archive them;
a member asking to write gets PermissionDenied. A member sees the program's current resources
meant for everyone or for a role they hold in the program (a mentee does not see resources for
mentors). Anyone else — another program's or organization's people, an auditor, a member asking
for a resource of another role or an archived one — gets NotFound, the same as for a resource
that does not exist. Every content request (each range of a video too) goes through
``access_resource`` again: access is never remembered between requests.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.community.access import access_event_program
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.library.models import Resource
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, Program


def access_library_program(
    viewer: User, *, public_id: Any = None, slug: str | None = None, write: bool = False
) -> Program:
    """The program if the viewer belongs to its community (members and those who run it), else
    NotFound; with ``write=True`` the viewer must run it, else PermissionDenied. The same rule
    as a program's events (``community.access``)."""
    return access_event_program(viewer, public_id=public_id, slug=slug, write=write)


def visible_resources(viewer: Any) -> QuerySet[Resource]:
    if not is_person(viewer):
        return Resource.objects.none()
    memberships = Membership.objects.filter(program=OuterRef("program"), user=viewer)
    # A program admin holding a membership row sees every role's resources (and, through
    # ``administered_programs``, the archived ones).
    member_of_role = Exists(
        memberships.filter(Q(role=OuterRef("audience")) | Q(role=Membership.Role.PROGRAM_ADMIN))
    )
    return Resource.objects.filter(
        Q(program__in=administered_programs(viewer))
        | (
            Q(archived_at__isnull=True)
            & Exists(memberships)
            & (Q(audience=Resource.Audience.ALL) | member_of_role)
        )
    )


def runs_program(viewer: Any, program: Program) -> bool:
    return administered_programs(viewer).filter(pk=program.pk).exists()


def access_resource(viewer: User, public_id: Any, *, write: bool = False) -> Resource:
    """The resource if the viewer may see it (module docstring), else NotFound; with
    ``write=True`` (edit, archive) the viewer must run its program, else PermissionDenied."""
    return fetch(
        visible_resources(viewer).select_related("program__organization"),
        public_id,
        write=write,
        writable=Resource.objects.filter(program__in=administered_programs(viewer)),
    )
