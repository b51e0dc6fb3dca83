"""API about what MentorHaven keeps about the signed-in person and who accessed it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.urls import reverse
from ninja import Query, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, PageParams, page
from mentorhaven.kernel.inventory import data_map
from mentorhaven.privacy import services
from mentorhaven.privacy.access import access_export
from mentorhaven.privacy.access_log import access_groups_for, describe

router = Router(tags=["privacy"])


class DataFieldOut(Schema):
    """One kind of data, in plain language (never a table or column name)."""

    record: str
    label: str
    purpose: str
    basis: str
    basis_text: str
    visible_to: list[str]
    retention: str
    erasure: str
    erasure_text: str
    records: int


class DataCategoryOut(Schema):
    category: str
    label: str
    examples: str
    records: int
    fields: list[DataFieldOut]


class DataMapOut(Schema):
    categories: list[DataCategoryOut]


@router.get("/me/data-map", response={200: DataMapOut, **AUTH_ERRORS}, summary="What we keep")
def me_data_map(request):
    """Every kind of personal data MentorHaven keeps, in plain words: why, for how long, who can
    see it, and how many records holding it there are about you — generated from the data
    inventory. A record counts in a category when it holds a value of that category."""
    return {"categories": data_map(request.auth)}


class AccessActorOut(Schema):
    kind: Literal["you", "person", "system", "unknown"]
    name: str
    role: str


class AccessEventOut(Schema):
    """One line of the log: the same reader, action, purpose and day, ``count`` times."""

    at: datetime
    first_at: datetime
    day: date
    count: int
    who: AccessActorOut
    action: str
    action_label: str
    category: str
    category_label: str
    purpose: str


class AccessLogPage(Schema):
    items: list[AccessEventOut]
    count: int


@router.get(
    "/me/access-log", response={200: AccessLogPage, **AUTH_ERRORS}, summary="Who accessed my data"
)
def me_access_log(request, params: Query[PageParams], include_own: bool = True):
    """Every audit event about you, grouped by who, what, why and day, newest first: who (name
    and role, or "MentorHaven system"), what kind of data, when, how often and why. Events
    about other people never appear here. ``limit`` is at most 200."""
    groups = access_groups_for(viewer=request.auth, include_own=include_own)
    result = page(groups, params)
    result["items"] = describe(viewer=request.auth, groups=result["items"])
    return result


class ExportOut(Schema):
    """A data export: how far it got, and until when it can be downloaded."""

    id: UUID
    status: Literal["queued", "running", "ready", "failed", "expired"]
    progress: int
    size: int
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    downloaded_at: datetime | None


def _export_out(job) -> dict:
    return {
        "id": job.public_id,
        "status": job.status,
        "progress": job.progress,
        "size": job.size,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "downloaded_at": job.downloaded_at,
    }


@router.post("/me/export", response={202: ExportOut, **AUTH_ERRORS}, summary="Export my data")
def me_export(request):
    """Ask for a copy of everything MentorHaven keeps about you (a ZIP of JSON, a readable
    index, your files and a signed manifest). It is prepared in the background: follow it with
    ``GET /me/exports/{id}``. While one is being prepared, asking again returns that one."""
    return Status(202, _export_out(services.export_request(actor=request.auth)))


@router.get(
    "/me/exports/{uuid:export_id}",
    response={200: ExportOut, 404: ErrorOut, **AUTH_ERRORS},
    summary="One of my data exports",
)
def me_export_status(request, export_id: UUID):
    """Progress (percent) and status of one of your exports."""
    return _export_out(access_export(request.auth, export_id))


class ExportLinkOut(Schema):
    url: str
    expires_at: datetime


@router.post(
    "/me/exports/{uuid:export_id}/link",
    response={201: ExportLinkOut, 404: ErrorOut, 409: ErrorOut, **AUTH_ERRORS},
    summary="A download link for my export",
)
def me_export_link(request, export_id: UUID):
    """A link that downloads a ready export once, within 15 minutes. The secret in ``url`` is
    shown this once; making a new link cancels the previous one."""
    job = access_export(request.auth, export_id, write=True)
    link = services.export_link_create(actor=request.auth, job=job)
    url = request.build_absolute_uri(reverse("privacy_export_download", args=[link.token]))
    return Status(201, {"url": url, "expires_at": link.expires_at})
