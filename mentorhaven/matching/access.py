"""Who may do what in matching.

* Questionnaires, exclusion lists, match runs and the fairness report belong to the admins of
  the program (program admins, org admins of its organization). Anyone else gets NotFound.
* A participant reaches only their own profile, answers, consents and suggestions, in a
  program where they hold that role; the reasons of a match are the two participants', the
  mentor's only with a current security training (``access_match_reasons``).

Whoever reaches one of these objects may also change it (the admins their program's, a
participant their own "not this person" entries), so ``write=True`` asks nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from mentorhaven.gates.access import mentor_is_trained
from mentorhaven.kernel.access import fetch, is_person
from mentorhaven.kernel.errors import NotFound
from mentorhaven.matching.models import Exclusion, MatchPair, MatchRun, Question
from mentorhaven.mentoring.access import access_relationship
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.access import access_program, administered_programs
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def access_program_admin(viewer: User, public_id: Any, *, write: bool = False) -> Program:
    """The program if ``viewer`` administers it, else NotFound (not even a 403: a participant
    need not learn that a matching page exists for their program)."""
    return fetch(administered_programs(viewer).select_related("organization"), public_id)


def access_participation(viewer: User, public_id: Any, role: str) -> Program:
    """The program if ``viewer`` takes part in it with ``role`` (mentee or mentor)."""
    program = access_program(viewer, public_id)
    if not Membership.objects.filter(program=program, user=viewer, role=role).exists():
        raise NotFound()
    return program


def access_match_reasons(viewer: User, public_id: Any) -> Relationship:
    """A relationship whose match reasons the viewer may read, else NotFound: its mentee, and
    its mentor only with a current security training — the reasons are derived from the
    mentee's answers, and mentee data is behind that gate (``gates.access``)."""
    relationship = access_relationship(viewer, public_id)
    if viewer.pk == relationship.mentee_id:
        return relationship
    if viewer.pk == relationship.mentor_id and mentor_is_trained(viewer):
        return relationship
    raise NotFound()


def participant_roles(viewer: User, program: Program) -> list[str]:
    return sorted(
        Membership.objects.filter(
            program=program, user=viewer, role__in=["mentee", "mentor"]
        ).values_list("role", flat=True)
    )


def access_question(viewer: User, public_id: Any, *, write: bool = False) -> Question:
    return fetch(
        Question.objects.filter(program__in=administered_programs(viewer)).select_related(
            "program"
        ),
        public_id,
    )


def access_run(viewer: User, public_id: Any, *, write: bool = False) -> MatchRun:
    return fetch(
        MatchRun.objects.filter(program__in=administered_programs(viewer)).select_related(
            "program__organization"
        ),
        public_id,
    )


def access_pair(viewer: User, public_id: Any, *, write: bool = False) -> MatchPair:
    return fetch(
        MatchPair.objects.filter(run__program__in=administered_programs(viewer)).select_related(
            "run__program", "mentee", "mentor"
        ),
        public_id,
    )


def access_exclusion(viewer: User, public_id: Any, *, write: bool = False) -> Exclusion:
    """A "not this person" entry to its owner only; a manager pair to the program's admins."""
    if not is_person(viewer):
        raise NotFound()  # the owner filter below needs a real person
    return fetch(
        Exclusion.objects.filter(
            Q(kind=Exclusion.Kind.NOT_THIS_PERSON, person=viewer)
            | Q(kind=Exclusion.Kind.MANAGER, program__in=administered_programs(viewer))
        ).select_related("program", "person"),
        public_id,
    )
