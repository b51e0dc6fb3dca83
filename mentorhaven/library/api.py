"""API of the program library.

Members of a program see its current resources meant for everyone or for their role; those who
run it see all of them and add new ones (a member gets 403). Anyone else gets 404 on every path,
as does a member asking for a resource of another role. ``/resources/{id}/content`` streams a
document or video from the encrypted store and honours one byte range (206, ``Accept-Ranges``,
``Content-Range``, 416), so a video plays and seeks; access is checked on every request.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from ninja import Field, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, parse_body, parse_form
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.library import selectors, services
from mentorhaven.library.access import access_library_program, access_resource
from mentorhaven.library.content import content_response
from mentorhaven.library.models import Resource

router = Router(tags=["library"])

ERRORS = {**AUTH_ERRORS, 404: ErrorOut}


class ResourceIn(Schema):
    kind: str = Field(description="article, link, document or video")
    audience: str = Field("all", description="all, mentee or mentor")
    title: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    tags: str = Field("", max_length=600, description="Comma-separated")
    body: str = Field("", max_length=100_000, description="An article's text")
    url: str = Field("", max_length=1000, description="A link's https address")


class ResourceOut(Schema):
    id: UUID
    kind: str
    audience: str
    title: str | None = Field(description="Null once erased or unreadable")
    description: str | None
    tags: list[str]
    url: str | None = Field(description="A link's address")
    file_name: str | None
    mime_type: str | None
    size: int | None
    archived: bool
    created_at: datetime
    content_url: str | None = Field(description="Articles, documents and videos")


def _text(value) -> str | None:
    return None if value is None or is_unavailable(value) else str(value)


def _out(resource: Resource) -> dict:
    return {
        "id": resource.public_id,
        "kind": resource.kind,
        "audience": resource.audience,
        "title": _text(resource.title),
        "description": _text(resource.description),
        "tags": resource.tag_list(),
        "url": _text(resource.url),
        "file_name": _text(resource.filename) if resource.has_file else None,
        "mime_type": resource.mime_type or None,
        "size": resource.size if resource.has_file else None,
        "archived": resource.is_archived,
        "created_at": resource.created_at,
        "content_url": None
        if resource.kind == Resource.Kind.LINK
        else f"/api/v1/resources/{resource.public_id}/content",
    }


@router.get("/programs/{slug}/resources", response={200: list[ResourceOut], **ERRORS})
def resource_list(request, slug: str, q: str = "", kind: str = "", archived: bool = False):
    """The program's resources you may see, newest first; ``q`` searches titles, descriptions
    and tags (every word must appear). ``archived=true``: the archived ones (admins only)."""
    program = access_library_program(request.auth, slug=slug)
    found = selectors.resources_for(
        viewer=request.auth, program=program, query=q, kind=kind, archived=archived
    )
    return [_out(r) for r in found]


def _payload(request) -> tuple[ResourceIn, UploadedFile | None, str]:
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        return parse_form(request, ResourceIn), upload, (upload.name if upload else "") or ""
    return parse_body(request, ResourceIn), None, ""


@router.post(
    "/programs/{slug}/resources",
    response={201: ResourceOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, **ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ResourceIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        **ResourceIn.model_json_schema(),
                        "properties": {
                            **ResourceIn.model_json_schema()["properties"],
                            "file": {"type": "string", "format": "binary"},
                        },
                    }
                },
            },
        }
    },
)
def resource_create(request, slug: str):
    """Add a resource (those who run the program): an article or a link as JSON; a document or
    a video as multipart with the file in ``file``. Documents are checked like any upload;
    videos must be MP4 or WebM within the video size limit."""
    program = access_library_program(request.auth, slug=slug, write=True)
    payload, upload, name = _payload(request)
    resource = services.resource_create(
        actor=request.auth, program=program, fileobj=upload, declared_name=name, **payload.dict()
    )
    return Status(201, _out(resource))


@router.get("/resources/{uuid:resource_id}", response={200: ResourceOut, **ERRORS})
def resource_detail(request, resource_id: UUID):
    """One resource you may see (404 for one of another role, archived, or elsewhere)."""
    return _out(access_resource(request.auth, resource_id))


@router.get(
    "/resources/{uuid:resource_id}/content",
    response={409: ErrorOut, 410: ErrorOut, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The whole content",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            206: {
                "description": "One byte range (``Range: bytes=...``)",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            416: {
                "description": "The range is not within the content, or is malformed",
                "content": {"application/json": {"schema": ErrorOut.model_json_schema()}},
            },
        }
    },
)
def resource_content(request, resource_id: UUID):
    """The content, streamed from the encrypted store: whole, or the one range asked for."""
    return content_response(request, access_resource(request.auth, resource_id))
