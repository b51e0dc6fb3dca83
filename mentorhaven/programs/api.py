"""API about programs: those the caller may see, and their member lists as the rules allow."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Query, Router, Schema

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams, page
from mentorhaven.programs.access import access_program
from mentorhaven.programs.selectors import (
    program_memberships_for,
    programs_for,
    record_member_list_read,
)

router = Router(tags=["programs"])


class OrganizationOut(Schema):
    public_id: UUID
    name: str


class ProgramOut(Schema):
    public_id: UUID
    name: str
    slug: str
    kind: str
    description: str
    starts_on: date | None
    ends_on: date | None
    organization: OrganizationOut


class ProgramPage(Schema):
    items: list[ProgramOut]
    count: int


class PersonOut(Schema):
    public_id: UUID
    display_name: str


class MembershipOut(Schema):
    public_id: UUID
    role: str
    person: PersonOut
    created_at: datetime

    @staticmethod
    def resolve_person(obj) -> dict:
        return {"public_id": obj.user.public_id, "display_name": obj.user.name}


class MembershipPage(Schema):
    items: list[MembershipOut]
    count: int


@router.get("", response={200: ProgramPage, **AUTH_ERRORS})
def program_list(request, params: Query[PageParams]):
    """Programs the caller takes part in, plus every program of an organization they oversee."""
    return page(programs_for(viewer=request.auth), params)


@router.get("/{uuid:public_id}", response={200: ProgramOut, 404: ErrorOut, **AUTH_ERRORS})
def program_detail(request, public_id: UUID):
    return access_program(request.auth, public_id)


@router.get(
    "/{uuid:public_id}/memberships", response={200: MembershipPage, 404: ErrorOut, **AUTH_ERRORS}
)
def membership_list(request, public_id: UUID, params: Query[PageParams]):
    """Who takes part, as far as the caller may know (see ``program_memberships_for``)."""
    program = access_program(request.auth, public_id)
    result = page(program_memberships_for(viewer=request.auth, program=program), params)
    record_member_list_read(viewer=request.auth, program=program, memberships=result["items"])
    return result
