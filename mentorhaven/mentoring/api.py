"""API about mentoring relationships and what happens inside them.

The relationship itself (who, status, dates) is visible to its participants and to those who
oversee its program; goals, meetings and notes only to the participants (the mentor only while
the relationship is active). Anyone else gets 404 on every path, whether or not it exists.
"""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from mentorhaven.accounts.models import User
from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams, body_doc, page, parse_body
from mentorhaven.kernel.errors import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from mentorhaven.mentoring import selectors, services
from mentorhaven.mentoring.access import access_relationship, access_relationship_content
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.schemas import (
    ClosingSurveyIn,
    ClosingSurveyOut,
    GoalIn,
    GoalList,
    GoalOut,
    MeetingIn,
    MeetingList,
    MeetingOut,
    NoteIn,
    NoteList,
    NoteOut,
    RelationshipEndIn,
    RelationshipEndOut,
    RelationshipOut,
    RelationshipPage,
    RematchIn,
)
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership

router = Router(tags=["relationships"])

NOT_FOUND = {404: ErrorOut}
# A write inside a relationship: 409 when its program is archived.
WRITE_ERRORS = {409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS}


# Request bodies are parsed inside the endpoints, after the access check: a viewer who may not
# see the relationship gets 404 whatever they send, never a validation error that would confirm
# the path exists.


@router.get("", response={200: RelationshipPage, **AUTH_ERRORS})
def relationship_list(request, params: Query[PageParams]):
    """Your relationships, and those of programs you oversee (metadata only)."""
    return page(selectors.relationships_for(viewer=request.auth), params)


@router.get("/{uuid:relationship_id}", response={200: RelationshipOut, **NOT_FOUND, **AUTH_ERRORS})
def relationship_detail(request, relationship_id: UUID):
    return access_relationship(request.auth, relationship_id)


@router.post(
    "/{uuid:relationship_id}/end",
    response={200: RelationshipEndOut, 400: ErrorOut, 409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS},
    openapi_extra=body_doc(RelationshipEndIn),
)
def relationship_end(request, relationship_id: UUID):
    """End a relationship (either participant, or an admin of its program). An unknown reason is
    a 400 naming the choices; a relationship that has already ended, a 409."""
    relationship = access_relationship(request.auth, relationship_id, write=True)
    payload = parse_body(request, RelationshipEndIn)
    return services.relationship_end(
        actor=request.auth,
        relationship=relationship,
        reason=_chosen_reason(payload.reason),
        note=payload.note,
    )


def _chosen_reason(reason: str) -> str:
    if reason not in Relationship.CHOSEN_END_REASONS:
        raise ApplicationError(
            _("Choose a reason for ending: goals_met, not_a_fit, safety or left_program."),
            code="bad_reason",
            extra={"choices": list(Relationship.CHOSEN_END_REASONS)},
        )
    return reason


def _managed(request, relationship_id: UUID) -> Relationship:
    """A relationship the caller coordinates (an admin of its program). Participants and
    auditors, who see it, get 403 before their body is read; everyone else 404."""
    relationship = access_relationship(request.auth, relationship_id)
    if not administered_programs(request.auth).filter(pk=relationship.program_id).exists():
        raise PermissionDenied()
    return relationship


LIFECYCLE_ERRORS = {409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS}


@router.post("/{uuid:relationship_id}/pause", response={200: RelationshipOut, **LIFECYCLE_ERRORS})
def relationship_pause(request, relationship_id: UUID):
    """Pause an active relationship (its program's admins): both people keep reading, neither
    writes until it is resumed; both are told. Not active: 409."""
    relationship = _managed(request, relationship_id)
    return services.relationship_pause(actor=request.auth, relationship=relationship)


@router.post("/{uuid:relationship_id}/resume", response={200: RelationshipOut, **LIFECYCLE_ERRORS})
def relationship_resume(request, relationship_id: UUID):
    """Resume a paused relationship (its program's admins); both are told. Not paused: 409."""
    relationship = _managed(request, relationship_id)
    return services.relationship_resume(actor=request.auth, relationship=relationship)


@router.post(
    "/{uuid:relationship_id}/rematch",
    response={201: RelationshipOut, 400: ErrorOut, **LIFECYCLE_ERRORS},
    openapi_extra=body_doc(RematchIn),
)
def relationship_rematch(request, relationship_id: UUID):
    """End the relationship and propose another mentor of its program to the mentee, in one
    step (its program's admins). Answers the new, proposed relationship. A mentor who is not
    one of the program's: 422; a relationship that has already ended: 409."""
    relationship = _managed(request, relationship_id)
    payload = parse_body(request, RematchIn)
    mentor = User.objects.filter(
        public_id=payload.mentor,
        pk__in=Membership.objects.filter(
            program_id=relationship.program_id, role=Membership.Role.MENTOR
        ).values("user_id"),
    ).first()
    if mentor is None:  # the same answer whether the id exists elsewhere or not at all
        raise ValidationFailed(_("Choose a mentor of this program."), code="not_a_member")
    new = services.relationship_rematch(
        actor=request.auth,
        relationship=relationship,
        reason=_chosen_reason(payload.reason),
        note=payload.note,
        mentor=mentor,
    )
    return Status(201, new)


@router.post(
    "/{uuid:relationship_id}/closing-survey",
    response={201: ClosingSurveyOut, **LIFECYCLE_ERRORS},
    openapi_extra=body_doc(ClosingSurveyIn),
)
def closing_survey_give(request, relationship_id: UUID):
    """Your closing survey of a relationship completed with its goals met (its participants,
    once). Not completed yet, or already answered: 409. Everyone else: 404."""
    relationship = access_relationship(request.auth, relationship_id)
    if request.auth.pk not in relationship.participant_ids():
        raise NotFound()
    payload = parse_body(request, ClosingSurveyIn)
    survey = services.closing_survey_give(
        actor=request.auth,
        relationship=relationship,
        rating=payload.rating,
        comment=payload.comment,
    )
    return Status(201, survey)


@router.get("/{uuid:relationship_id}/goals", response={200: GoalList, **NOT_FOUND, **AUTH_ERRORS})
def goal_list(request, relationship_id: UUID):
    """The mentee's goals: for the mentee, and the mentor while the relationship is active."""
    relationship = access_relationship_content(request.auth, relationship_id)
    return {"items": selectors.goals_for(viewer=request.auth, relationship=relationship)}


@router.post(
    "/{uuid:relationship_id}/goals",
    response={201: GoalOut, **WRITE_ERRORS},
    openapi_extra=body_doc(GoalIn),
)
def goal_create(request, relationship_id: UUID):
    """Only the mentee sets goals (the mentor gets 403)."""
    relationship = access_relationship_content(request.auth, relationship_id, write=True)
    payload = parse_body(request, GoalIn)
    goal = services.goal_create(
        actor=request.auth,
        relationship=relationship,
        title=payload.title,
        description=payload.description,
    )
    return Status(201, goal)


@router.get(
    "/{uuid:relationship_id}/meetings", response={200: MeetingList, **NOT_FOUND, **AUTH_ERRORS}
)
def meeting_list(request, relationship_id: UUID):
    relationship = access_relationship_content(request.auth, relationship_id)
    return {"items": selectors.meetings_for(viewer=request.auth, relationship=relationship)}


@router.post(
    "/{uuid:relationship_id}/meetings",
    response={201: MeetingOut, **WRITE_ERRORS},
    openapi_extra=body_doc(MeetingIn),
)
def meeting_propose(request, relationship_id: UUID):
    """Offer one to three times; the other participant accepts one on the relationship page."""
    relationship = access_relationship_content(request.auth, relationship_id, write=True)
    payload = parse_body(request, MeetingIn)
    meeting = services.meeting_propose(
        actor=request.auth,
        relationship=relationship,
        slots=payload.slots,
        location=payload.location,
        agenda=payload.agenda,
        duration_minutes=payload.duration_minutes,
    )
    return Status(201, meeting)


@router.get("/{uuid:relationship_id}/notes", response={200: NoteList, **NOT_FOUND, **AUTH_ERRORS})
def note_list(request, relationship_id: UUID):
    """Your own notes and the other participant's shared ones."""
    relationship = access_relationship_content(request.auth, relationship_id)
    return {"items": selectors.notes_for(viewer=request.auth, relationship=relationship)}


@router.post(
    "/{uuid:relationship_id}/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    openapi_extra=body_doc(NoteIn),
)
def note_create(request, relationship_id: UUID):
    relationship = access_relationship_content(request.auth, relationship_id, write=True)
    payload = parse_body(request, NoteIn)
    note = services.note_create(
        actor=request.auth, relationship=relationship, body=payload.body, shared=payload.shared
    )
    return Status(201, note)
