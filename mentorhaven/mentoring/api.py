"""API about mentoring relationships and what happens inside them.

The relationship itself (who, status, dates) is visible to its participants and to those who
oversee its program; goals, meetings and notes only to the participants (the mentor only while
the relationship is active). Anyone else gets 404 on every path, whether or not it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

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
from mentorhaven.mentoring.services.relationships import END_NOTE_LIMIT
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership

router = Router(tags=["relationships"])

NOT_FOUND = {404: ErrorOut}
# A write inside a relationship: 409 when its program is archived.
WRITE_ERRORS = {409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS}


class PersonOut(Schema):
    id: UUID
    display_name: str


def _person(user: User) -> dict:
    return {"id": user.public_id, "display_name": user.name}


class ProgramRef(Schema):
    id: UUID
    name: str


class RelationshipOut(Schema):
    id: UUID
    status: str
    program: ProgramRef
    mentee: PersonOut
    mentor: PersonOut
    proposed_at: datetime
    started_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_program(obj) -> dict:
        return {"id": obj.program.public_id, "name": obj.program.name}

    @staticmethod
    def resolve_mentee(obj) -> dict:
        return _person(obj.mentee)

    @staticmethod
    def resolve_mentor(obj) -> dict:
        return _person(obj.mentor)


class RelationshipEndIn(Schema):
    """Why the relationship ends: one of ``goals_met``, ``not_a_fit``, ``safety``,
    ``left_program``; and an optional note (encrypted; for you and the program's admins only)."""

    reason: str = Field(..., max_length=32)
    note: str = Field("", max_length=END_NOTE_LIMIT)


class RelationshipEndOut(Schema):
    id: UUID
    status: str
    end_reason: str
    ended_at: datetime | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class RematchIn(Schema):
    """End the relationship with a reason (as for ``/end``) and an optional note, and propose
    ``mentor`` (the id of another mentor of the same program) to its mentee."""

    mentor: UUID
    reason: str = Field(..., max_length=32)
    note: str = Field("", max_length=END_NOTE_LIMIT)


class ClosingSurveyIn(Schema):
    """A rating from 1 (poor) to 5 (very good) and an optional comment (encrypted; the
    program's admins only ever see totals over many people)."""

    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=5000)


class ClosingSurveyOut(Schema):
    id: UUID
    rating: int
    created_at: datetime

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class RelationshipPage(Schema):
    items: list[RelationshipOut]
    count: int


class MilestoneOut(Schema):
    id: UUID
    title: str
    due_on: date | None
    done: bool

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class ProgressOut(Schema):
    id: UUID
    body: str
    created_at: datetime

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class GoalOut(Schema):
    id: UUID
    title: str
    description: str
    status: str
    created_at: datetime
    milestones: list[MilestoneOut]
    updates: list[ProgressOut]

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_description(obj) -> str:
        return obj.description or ""

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_updates(obj) -> list:
        return list(obj.updates.all())


class GoalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)


class GoalList(Schema):
    items: list[GoalOut]


class NoteOut(Schema):
    id: UUID
    body: str
    shared: bool
    author: PersonOut
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_author(obj) -> dict:
        return _person(obj.author)


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=20_000)
    shared: bool = False


class NoteList(Schema):
    items: list[NoteOut]


class MeetingOut(Schema):
    id: UUID
    status: str
    slots: list[datetime]
    starts_at: datetime | None
    duration_minutes: int
    location: str
    agenda: str
    proposed_by: PersonOut

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    # Times in the viewer's zone with its offset (ISO 8601, "2027-01-15T11:30:00-05:00"): the
    # same instant as stored in UTC, as the viewer's pages and calendar show it.
    @staticmethod
    def resolve_slots(obj) -> list:
        return [timezone.localtime(slot) for slot in obj.slot_times()]

    @staticmethod
    def resolve_starts_at(obj) -> datetime | None:
        return timezone.localtime(obj.starts_at) if obj.starts_at else None

    @staticmethod
    def resolve_location(obj) -> str:
        return obj.location or ""

    @staticmethod
    def resolve_agenda(obj) -> str:
        return obj.agenda or ""

    @staticmethod
    def resolve_proposed_by(obj) -> dict:
        return _person(obj.proposed_by)


class MeetingIn(Schema):
    slots: list[datetime] = Field(..., min_length=1, max_length=3)
    location: str = Field("", max_length=500)
    agenda: str = Field("", max_length=20_000)
    duration_minutes: int = Field(60, ge=15, le=480)


class MeetingList(Schema):
    items: list[MeetingOut]


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
