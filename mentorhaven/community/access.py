"""Who may see or act on a program event.

Events are for the program's people: its members (any role) and the admins of its organization.
Anyone else — an auditor or security officer overseeing the organization, a person of another
organization — gets NotFound, the same as for an event that does not exist. Those who run the
program (its program admins and its organization's admins) create, change and cancel events,
check people in and see every registration; a member who asks for that gets PermissionDenied.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.community.models import Event, Survey
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, Program


def community_programs(viewer: Any) -> QuerySet[Program]:
    """Programs whose community the viewer belongs to: members, and those who run it."""
    if not is_person(viewer):
        return Program.objects.none()
    run = administered_programs(viewer).values("pk")
    member = Membership.objects.filter(user=viewer).values("program_id")
    return Program.objects.filter(Q(pk__in=member) | Q(pk__in=run))


def access_event_program(
    viewer: User, *, public_id: Any = None, slug: str | None = None, write: bool = False
) -> Program:
    """The program named by ``public_id`` (pages) or ``slug`` (the API) if the viewer belongs
    to its community, else NotFound; with ``write=True`` the viewer must run it (create an
    event), else PermissionDenied."""
    visible = community_programs(viewer).select_related("organization")
    if slug is None:
        return fetch(visible, public_id, write=write, writable=administered_programs(viewer))
    program = visible.filter(slug=str(slug)[:80]).first()
    if program is None:
        raise NotFound()
    if write and not administered_programs(viewer).filter(pk=program.pk).exists():
        raise PermissionDenied()
    return program


def visible_events(viewer: Any) -> QuerySet[Event]:
    return Event.objects.filter(program__in=community_programs(viewer))


def runs_program(viewer: Any, program: Program) -> bool:
    """Whether the viewer runs the program: its program admins and its organization's admins."""
    return administered_programs(viewer).filter(pk=program.pk).exists()


def runs_event(viewer: Any, event: Event) -> bool:
    """Whether the viewer runs the event's program (admin view of an event)."""
    return administered_programs(viewer).filter(pk=event.program_id).exists()


def access_event(viewer: User, public_id: Any, *, write: bool = False) -> Event:
    """The event if the viewer belongs to its program's community, else NotFound. With
    ``write=True`` (edit, cancel, check-in) the viewer must run the program, else
    PermissionDenied."""
    return fetch(
        visible_events(viewer).select_related("program__organization"),
        public_id,
        write=write,
        writable=Event.objects.filter(program__in=administered_programs(viewer)),
    )


def access_survey(viewer: User, public_id: Any, *, write: bool = False) -> Survey:
    """The survey if the viewer belongs to its program's community, else NotFound; with
    ``write=True`` (close it, read its results) the viewer must run the program, else
    PermissionDenied."""
    return fetch(
        Survey.objects.filter(program__in=community_programs(viewer)).select_related(
            "program__organization"
        ),
        public_id,
        write=write,
        writable=Survey.objects.filter(program__in=administered_programs(viewer)),
    )
