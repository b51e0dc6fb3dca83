"""Shapes of the relationships API: what it answers (``…Out``) and what it reads (``…In``).

People appear by public id and display name only; meeting times in the site's time zone."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.utils import timezone
from ninja import Field, Schema

from mentorhaven.accounts.models import User
from mentorhaven.mentoring.services.relationships import END_NOTE_LIMIT


class PersonOut(Schema):
    id: UUID
    display_name: str


def person(user: User) -> dict:
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
        return person(obj.mentee)

    @staticmethod
    def resolve_mentor(obj) -> dict:
        return person(obj.mentor)


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
        return person(obj.author)


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
        return person(obj.proposed_by)


class MeetingIn(Schema):
    slots: list[datetime] = Field(..., min_length=1, max_length=3)
    location: str = Field("", max_length=500)
    agenda: str = Field("", max_length=20_000)
    duration_minutes: int = Field(60, ge=15, le=480)


class MeetingList(Schema):
    items: list[MeetingOut]
