"""Who may see or act on a relationship. Access derived from it starts and ends with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mentorhaven.gates.access import mentor_trained_q
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.mentoring.models import Goal, Meeting, Milestone, Note, Relationship
from mentorhaven.messaging.models import Block
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import OrgMembership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def overseen_programs(viewer: User) -> QuerySet:
    """Programs whose relationships the viewer may know about without taking part: program
    admins of the program, org admins and auditors of its organization."""
    if not is_person(viewer):
        return Program.objects.none()
    audited_orgs = OrgMembership.objects.filter(
        user=viewer, role=OrgMembership.Role.AUDITOR
    ).values("organization_id")
    return Program.objects.filter(
        Q(pk__in=administered_programs(viewer).values("pk")) | Q(organization_id__in=audited_orgs)
    )


def visible_relationships(viewer: User) -> QuerySet:
    """Relationships the viewer may know about: their own (any status), and the relationships
    of programs they oversee (metadata only: who, status, dates — never content)."""
    if not is_person(viewer):
        return Relationship.objects.none()
    # Every condition is on the relationship's own columns (the programs are a subquery), so
    # no row can come twice: no DISTINCT, which made PostgreSQL sort a program's relationships
    # (with their counts) before paging them.
    return Relationship.objects.filter(
        Q(mentee=viewer) | Q(mentor=viewer) | Q(program__in=overseen_programs(viewer))
    )


def access_relationship(viewer: User, public_id: Any, *, write: bool = False) -> Relationship:
    """The relationship if ``viewer`` may see it, else NotFound.

    ``write=True`` (lifecycle actions: accept, end, complete) is for its two participants and
    for the admins of its program; others get PermissionDenied.
    """
    relationship = fetch(
        visible_relationships(viewer).select_related("program__organization", "mentee", "mentor"),
        public_id,
    )
    if write and not (
        viewer.pk in relationship.participant_ids()
        or administered_programs(viewer).filter(pk=relationship.program_id).exists()
    ):
        raise PermissionDenied()
    return relationship


def access_relationship_content(
    viewer: User, public_id: Any, *, write: bool = False
) -> Relationship:
    """The relationship if ``viewer`` may read (or write) what is *inside* it — goals, shared
    notes, meetings, messages, files. Only its two participants; the mentor only while it is
    active or paused (writing needs it active, and the writer not blocked by the other). Admins
    get NotFound: they see counts elsewhere.
    """
    relationship = fetch(
        content_relationships(viewer).select_related("program", "mentee", "mentor"), public_id
    )
    if write:
        refuse_writing(viewer, relationship)
    return relationship


def refuse_writing(viewer: User, relationship: Relationship) -> None:
    """PermissionDenied unless ``viewer`` may write into the relationship now: it is active
    (not proposed, paused or ended) and the other participant has not blocked them. A block
    stops every write of the blocked person into the relationship — goals, shared notes,
    meetings, files, messages — not only new messages."""
    if not relationship.is_active:
        if relationship.is_paused:
            raise PermissionDenied(
                _("This relationship is paused: you can read it but not write in it."),
                code="relationship_paused",
            )
        raise PermissionDenied()
    refuse_if_blocked(viewer, relationship)


def refuse_if_blocked(viewer: User, relationship: Relationship) -> None:
    """PermissionDenied when the other participant has blocked ``viewer`` (services call it
    too: a block may come between the access check and the write)."""
    if is_blocked_by_partner(viewer, relationship):
        raise PermissionDenied(
            _("The other person is not accepting anything from you in this relationship."),
            code="blocked",
        )


def is_blocked_by_partner(viewer: User, relationship: Relationship) -> bool:
    """Whether the other participant of ``relationship`` has blocked ``viewer``."""
    if viewer.pk not in relationship.participant_ids():
        return False
    other = (
        relationship.mentor_id if viewer.pk == relationship.mentee_id else relationship.mentee_id
    )
    return Block.objects.filter(blocker_id=other, blocked_id=viewer.pk).exists()


# --- inside a relationship ----------------------------------------------------------------------


def content_relationships(viewer: User) -> QuerySet:
    """Relationships whose inside the viewer may read: as mentee (any status: it is their own
    history), as mentor only while active or paused and only with a current security training
    (the gate is in the query: ``gates.access.mentor_trained_q``). Never as an admin. Writing
    needs more (``refuse_writing``)."""
    if not is_person(viewer):
        return Relationship.objects.none()
    return Relationship.objects.filter(
        Q(mentee=viewer) | (Q(mentor=viewer, status__in=MENTOR_READS) & mentor_trained_q(viewer))
    )


# A mentor reads the inside while the relationship runs: active, or paused by a coordinator.
MENTOR_READS = (Relationship.Status.ACTIVE, Relationship.Status.PAUSED)


def access_goal(viewer: User, public_id: Any, *, write: bool = False) -> Goal:
    """A goal, for the two participants of its relationship (the mentor only while active).
    Writing is for its owner, the mentee, while the relationship is active."""
    goal = fetch(
        Goal.objects.filter(relationship__in=content_relationships(viewer)).select_related(
            "relationship", "owner"
        ),
        public_id,
    )
    if write:
        if viewer.pk != goal.owner_id:
            raise PermissionDenied()
        refuse_writing(viewer, goal.relationship)
    return goal


def access_milestone(viewer: User, public_id: Any, *, write: bool = False) -> Milestone:
    milestone = fetch(
        Milestone.objects.filter(
            goal__relationship__in=content_relationships(viewer)
        ).select_related("goal__relationship"),
        public_id,
    )
    goal = milestone.goal
    if write:
        if viewer.pk != goal.owner_id:
            raise PermissionDenied()
        refuse_writing(viewer, goal.relationship)
    return milestone


def access_note(viewer: User, public_id: Any, *, write: bool = False) -> Note:
    """A note, for its author (always: it is their writing, to edit or delete), and — when
    shared — for the other participant while they may see the relationship's content.
    Nobody else, and no admin, ever; a private note is NotFound to the other participant."""
    if not is_person(viewer):
        raise NotFound()  # the author filter below needs a real person
    note = fetch(
        Note.objects.filter(
            Q(author=viewer) | Q(shared=True, relationship__in=content_relationships(viewer))
        ).select_related("relationship", "author"),
        public_id,
    )
    if write and note.author_id != viewer.pk:
        raise PermissionDenied()
    return note


def access_meeting(viewer: User, public_id: Any, *, write: bool = False) -> Meeting:
    """A meeting, for the two participants (the mentor only while active); acting on it
    (accept, decline, cancel) needs the relationship active."""
    meeting = fetch(
        Meeting.objects.filter(relationship__in=content_relationships(viewer)).select_related(
            "relationship__program", "relationship__mentee", "relationship__mentor", "proposed_by"
        ),
        public_id,
    )
    if write:
        refuse_writing(viewer, meeting.relationship)
    return meeting


def access_program_oversight(viewer: User, public_id: Any) -> Program:
    """A program whose relationships the viewer oversees (program admin, org admin, auditor):
    metadata and aggregates only."""
    return fetch(overseen_programs(viewer).select_related("organization"), public_id)
