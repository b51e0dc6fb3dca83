"""API about programs: those the caller may see, their member lists as the rules allow, and
their set-up by their organization's admins (create, change, archive)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams, body_doc, page, parse_body
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.programs import services
from mentorhaven.programs.access import (
    access_organization_admin,
    access_program,
    access_program_setup,
    administered_organizations,
)
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


class MemberPersonOut(Schema):
    public_id: UUID
    display_name: str


class MembershipOut(Schema):
    public_id: UUID
    role: str
    person: MemberPersonOut
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


# --- set-up by the organization's admins -------------------------------------------------------


class ProgramCreateIn(Schema):
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80)
    kind: str = "one_to_one"
    # Needed only by an admin of several organizations.
    organization: UUID | None = None


class ProgramUpdateIn(Schema):
    """Only the fields sent change; ``null`` puts a setting back to its default."""

    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5_000)
    kind: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    confidentiality_agreement: str | None = Field(None, max_length=20_000)
    matching_mode: str | None = None
    mentor_capacity: int | None = None
    min_group_size: int | None = None
    idle_days: int | None = None
    # Kind of record -> days kept, for this program (see GET /retention kinds in the docs).
    retention: dict[str, int] | None = None


class ProgramSetupOut(Schema):
    public_id: UUID
    name: str
    slug: str
    kind: str
    description: str
    starts_on: date | None
    ends_on: date | None
    archived_at: datetime | None
    confidentiality_agreement: str | None
    matching_mode: str | None
    mentor_capacity: int | None
    min_group_size: int | None
    idle_days: int | None
    organization: OrganizationOut

    @staticmethod
    def resolve_confidentiality_agreement(obj) -> str | None:
        return (obj.settings or {}).get("confidentiality_agreement")

    @staticmethod
    def resolve_matching_mode(obj) -> str | None:
        return (obj.settings or {}).get("matching_mode")

    @staticmethod
    def resolve_mentor_capacity(obj) -> int | None:
        return (obj.settings or {}).get("mentor_capacity")

    @staticmethod
    def resolve_min_group_size(obj) -> int | None:
        return (obj.settings or {}).get("min_group_size")

    @staticmethod
    def resolve_idle_days(obj) -> int | None:
        return (obj.settings or {}).get("idle_days")


SETUP_ERRORS = {404: ErrorOut, 409: ErrorOut, **AUTH_ERRORS}


@router.post(
    "", response={201: ProgramSetupOut, **SETUP_ERRORS}, openapi_extra=body_doc(ProgramCreateIn)
)
def program_create(request):
    """A new program in an organization the caller administers (others: 404)."""
    payload = parse_body(request, ProgramCreateIn)
    if payload.organization is not None:
        organization = access_organization_admin(request.auth, payload.organization)
    else:
        organizations = list(administered_organizations(request.auth)[:2])
        if not organizations:
            raise NotFound()
        if len(organizations) > 1:
            raise ValidationFailed(code="organization_required")
        organization = organizations[0]
    program = services.program_create(
        actor=request.auth,
        organization=organization,
        name=payload.name,
        slug=payload.slug,
        kind=payload.kind,
    )
    return Status(201, program)


@router.patch(
    "/{slug}",
    response={200: ProgramSetupOut, **SETUP_ERRORS},
    openapi_extra=body_doc(ProgramUpdateIn),
)
def program_update(request, slug: str):
    """Change a program's details and settings: its organization's admins only (its members get
    403, everyone else 404); an archived program answers 409."""
    program = access_program_setup(request.auth, slug=slug, write=True)
    payload = parse_body(request, ProgramUpdateIn)
    changes = payload.model_dump(exclude_unset=True)
    retention = changes.pop("retention", None)
    return services.program_update(
        actor=request.auth, program=program, changes=changes, retention=retention
    )


@router.get("/{slug}", response={200: ProgramSetupOut, **SETUP_ERRORS})
def program_settings(request, slug: str):
    """A program's details and settings as its organization's admins change them (its members
    get 403, everyone else 404, as for a change)."""
    return access_program_setup(request.auth, slug=slug, write=True)


@router.post("/{slug}/archive", response={200: ProgramSetupOut, **SETUP_ERRORS})
def program_archive(request, slug: str):
    """Archive a program for good: it stays readable, nothing about it changes any more."""
    program = access_program_setup(request.auth, slug=slug, write=True)
    return services.program_archive(actor=request.auth, program=program)
