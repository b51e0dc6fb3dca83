"""API of consents and data requests: ``/me/consents``, ``/me/requests``, ``/me/restriction``
for everyone about themselves; ``/data-requests`` for an organization's data-protection
officers (404 for everyone else, as for a request they may not see)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import pydantic
from ninja import Field, Query, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams
from mentorhaven.consent import access, selectors, services
from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.models import DataRequest
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.programs.models import Organization

router = Router(tags=["consent"])
ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 409: ErrorOut}

PurposeCode = Literal["matching_sensitive", "engagement_analytics", "ai_features"]


class ConsentOut(Schema):
    purpose: str
    label: str
    text: str
    version: str
    given: bool
    since: datetime | None
    outdated: bool


class ConsentIn(Schema):
    purpose: PurposeCode


@router.get("/me/consents", response={200: list[ConsentOut], **AUTH_ERRORS})
def my_consents(request):
    """Your current choice for each consent purpose, with the text it refers to."""
    return [
        ConsentOut(
            purpose=s.purpose,
            label=s.label,
            text=s.text,
            version=s.version,
            given=s.given,
            since=s.since,
            outdated=s.outdated,
        )
        for s in selectors.consent_state(viewer=request.auth)
    ]


@router.post("/me/consents", response={200: list[ConsentOut], **ERRORS})
def give_consent(request, payload: ConsentIn):
    """Opt in to one purpose under its current text."""
    services.consent_give(actor=request.auth, purpose=payload.purpose, method=Method.API)
    return my_consents(request)


@router.delete("/me/consents/{purpose}", response={200: list[ConsentOut], **ERRORS})
def withdraw_consent(request, purpose: PurposeCode):
    """Withdraw one consent; it takes effect everywhere at once (withdrawing matching with
    sensitive answers deletes those answers and removes them from every score)."""
    services.consent_withdraw(actor=request.auth, purpose=Purpose(purpose), method=Method.API)
    return my_consents(request)


class RequestOut(Schema):
    id: UUID
    kind: str
    status: str
    received_at: datetime
    due_at: datetime
    closed_at: datetime | None
    organization: UUID


def _out(request: DataRequest) -> RequestOut:
    return RequestOut(
        id=request.public_id,
        kind=request.kind,
        status=request.status,
        received_at=request.received_at,
        due_at=request.due_at,
        closed_at=request.closed_at,
        organization=request.organization.public_id,
    )


class RequestIn(Schema):
    kind: Literal["correction", "access", "erasure", "objection", "other"]
    details: str = Field("", max_length=5000)
    organization: UUID | None = None


def _organization(public_id: UUID | None) -> Organization | None:
    if public_id is None:
        return None
    found = Organization.objects.filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    return found


@router.get("/me/requests", response={200: list[RequestOut], **AUTH_ERRORS})
def my_requests(request):
    """Your data-protection requests, newest first, with their deadlines and status."""
    return [_out(r) for r in selectors.my_requests(viewer=request.auth)]


@router.post("/me/requests", response={201: RequestOut, **ERRORS})
def make_request(request, payload: RequestIn):
    """Ask your organization's data-protection officers for something you cannot do yourself
    (a correction of data you cannot edit, for example). Due one month after receipt."""
    made = services.data_request_create(
        actor=request.auth,
        kind=payload.kind,
        details=payload.details,
        organization=_organization(payload.organization),
    )
    return Status(201, _out(made))


class RestrictionIn(Schema):
    details: str = Field("", max_length=5000)
    organization: UUID | None = None


class RestrictionOut(Schema):
    restricted: bool
    since: datetime | None


@router.get("/me/restriction", response={200: RestrictionOut, **AUTH_ERRORS})
def my_restriction(request):
    found = selectors.active_restriction(viewer=request.auth)
    return RestrictionOut(restricted=found is not None, since=found and found.started_at)


@router.post("/me/restriction", response={201: RestrictionOut, **ERRORS})
def restrict(request, payload: RestrictionIn):
    """Freeze processing of your data while a dispute is open: no matching, no analytics, no
    reminders. Files a restriction request with your organization."""
    made = services.restriction_start(
        actor=request.auth,
        details=payload.details,
        organization=_organization(payload.organization),
    )
    return Status(201, RestrictionOut(restricted=True, since=made.started_at))


@router.delete("/me/restriction", response={200: RestrictionOut, **ERRORS})
def lift_restriction(request):
    found = selectors.active_restriction(viewer=request.auth)
    if found is None:
        raise NotFound()
    services.restriction_lift(actor=request.auth, restriction=found)
    return RestrictionOut(restricted=False, since=None)


class QueueItemOut(RequestOut):
    overdue: bool


class QueuePage(Schema):
    items: list[QueueItemOut]
    count: int


@router.get("/data-requests", response={200: QueuePage, **ERRORS})
def request_queue(request, params: Query[PageParams], include_closed: bool = False):
    """The request queue of the organizations you are a data-protection officer of, soonest
    deadline first. 404 if you are none."""
    organizations = access.access_request_queue(request.auth)
    rows = selectors.request_queue(
        viewer=request.auth, organizations=organizations, include_closed=include_closed
    )
    chosen = rows[params.offset : params.offset + params.limit]
    items = [QueueItemOut(**_out(r.request).model_dump(), overdue=r.overdue) for r in chosen]
    return {"items": items, "count": len(rows)}


class StatusIn(Schema):
    status: Literal["open", "in_progress", "done", "refused"]


def _payload(request, schema: type[Schema]):
    # Parsed after the access check, so that a request one may not see is 404 whatever the body.
    try:
        return schema.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as exc:
        errors = [
            {"loc": ["body", *(str(p) for p in e.get("loc", ()))], "msg": str(e.get("msg", ""))}
            for e in exc.errors(include_input=False)
        ]
        raise ValidationFailed(extra={"errors": errors}) from exc


@router.patch(
    "/data-requests/{uuid:request_id}",
    response={200: RequestOut, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": StatusIn.model_json_schema()}},
        }
    },
)
def set_request_status(request, request_id: UUID):
    """Move a request on (officers of its organization only; its requester gets 403)."""
    found = access.access_data_request(request.auth, request_id, write=True)
    payload = _payload(request, StatusIn)
    return _out(
        services.data_request_status_set(actor=request.auth, request=found, status=payload.status)
    )
