"""API for files and share links.

A file in a relationship is visible to its two participants (the mentor only while the
relationship is active); anyone else gets 404 on every path. Content is streamed as an
attachment with ``nosniff`` and a sandboxing CSP. Only the uploader deletes a file or manages
its share links; a link's token appears once, in the answer that creates it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, body_doc, parse_body
from mentorhaven.files import services
from mentorhaven.files.access import access_file, access_share_link
from mentorhaven.files.responses import attachment_response
from mentorhaven.files.selectors import file_content_for, record_name_reads, share_links_for
from mentorhaven.kernel.fields import is_erased, is_unreadable
from mentorhaven.mentoring.access import access_relationship_content

router = Router(tags=["files"])

ERRORS = {**AUTH_ERRORS, 404: ErrorOut}


class FileOut(Schema):
    id: UUID
    name: str | None = Field(description="The sanitized file name; null once erased or unreadable")
    erased: bool
    unreadable: bool = Field(description="The stored name failed its integrity check")
    mime_type: str
    size: int
    relationship: UUID | None
    uploaded_by_me: bool
    created_at: datetime
    content_url: str


def _file_out(request, file) -> dict:
    erased, unreadable = is_erased(file.filename), is_unreadable(file.filename)
    return {
        "id": file.public_id,
        "name": None if erased or unreadable else str(file.filename),
        "erased": erased,
        "unreadable": unreadable,
        "mime_type": file.mime_type,
        "size": file.size,
        "relationship": file.relationship.public_id if file.relationship else None,
        "uploaded_by_me": file.uploader_id == request.auth.pk,
        "created_at": file.created_at,
        "content_url": f"/api/v1/files/{file.public_id}/content",
    }


class ShareLinkIn(Schema):
    password: str | None = None
    expires_in_days: int = Field(services.LINK_DEFAULT_DAYS, ge=1, le=services.LINK_MAX_DAYS)
    max_downloads: int | None = Field(None, ge=1, le=services.LINK_MAX_DOWNLOADS)


class ShareLinkOut(Schema):
    id: UUID
    url: str | None = Field(None, description="Only in the answer that creates the link")
    has_password: bool
    expires_at: datetime
    max_downloads: int | None
    download_count: int
    revoked: bool


def _link_out(link, url: str | None = None) -> dict:
    return {
        "id": link.public_id,
        "url": url,
        "has_password": link.has_password,
        "expires_at": link.expires_at,
        "max_downloads": link.max_downloads,
        "download_count": link.download_count,
        "revoked": link.revoked_at is not None,
    }


@router.post(
    "/files",
    response={
        201: FileOut,
        400: ErrorOut,
        409: ErrorOut,
        410: ErrorOut,
        413: ErrorOut,
        429: ErrorOut,
        **ERRORS,
    },
)
def upload_file(
    request,
    file: File[UploadedFile],
    relationship: Form[UUID | None] = None,
):
    """Upload a file (multipart field ``file``), into a relationship's shared space when
    ``relationship`` is given. Checked on content against the allow-list; pictures lose their
    metadata; stored encrypted under your key. 413 past your (500 MB) or the program's (20 GB)
    storage allowance; 429 while you already have two uploads in progress."""
    shared_space = (
        access_relationship_content(request.auth, relationship, write=True)
        if relationship is not None
        else None
    )
    stored = services.file_upload(
        actor=request.auth,
        fileobj=file,
        declared_name=file.name or "",
        relationship=shared_space,
    )
    return Status(201, _file_out(request, stored))


@router.get("/files/{uuid:file_id}", response={200: FileOut, **ERRORS})
def get_file(request, file_id: UUID):
    file = access_file(request.auth, file_id)
    record_name_reads(viewer=request.auth, files=[file])
    return _file_out(request, file)


@router.get(
    "/files/{uuid:file_id}/content",
    response={409: ErrorOut, 410: ErrorOut, **ERRORS},
    # The 200 is the file itself, in its own media type: not a schema Ninja can describe.
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_file_content(request, file_id: UUID):
    """The file itself, streamed as an attachment. Each download by someone other than the
    uploader appears in the uploader's access log."""
    file = access_file(request.auth, file_id)
    return attachment_response(request, file, file_content_for(viewer=request.auth, file=file))


@router.delete("/files/{uuid:file_id}", response={204: None, **ERRORS})
def delete_file(request, file_id: UUID):
    services.file_delete(actor=request.auth, file=access_file(request.auth, file_id, write=True))
    return Status(204, None)


@router.get("/files/{uuid:file_id}/share-links", response={200: list[ShareLinkOut], **ERRORS})
def list_share_links(request, file_id: UUID):
    file = access_file(request.auth, file_id, write=True)
    return [_link_out(link) for link in share_links_for(viewer=request.auth, file=file)]


@router.post(
    "/files/{uuid:file_id}/share-links",
    response={201: ShareLinkOut, 409: ErrorOut, 410: ErrorOut, **ERRORS},
    openapi_extra=body_doc(ShareLinkIn),
)
def create_share_link(request, file_id: UUID):
    """Create a link for someone outside the platform (body: ``password``, ``expires_in_days``,
    ``max_downloads``). The answer's ``url`` holds the secret token: it is shown this once and
    only its hash is kept."""
    file = access_file(request.auth, file_id, write=True)
    payload = parse_body(request, ShareLinkIn)
    link, token = services.share_link_create(
        actor=request.auth,
        file=file,
        password=payload.password,
        expires_in_days=payload.expires_in_days,
        max_downloads=payload.max_downloads,
    )
    return Status(201, _link_out(link, request.build_absolute_uri(f"/s/{token}")))


@router.delete("/share-links/{uuid:link_id}", response={204: None, **ERRORS})
def revoke_share_link(request, link_id: UUID):
    """Revoke a link: it stops working at once."""
    services.share_link_revoke(actor=request.auth, link=access_share_link(request.auth, link_id))
    return Status(204, None)
