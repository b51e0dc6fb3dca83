"""What a data export holds from the files app (privacy/export/registry.py): the files of the
person's relationships and their own uploads, content decrypted, and the share links they made
with what happened to each. A file the other participant uploaded is recorded as read."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from mentorhaven.files.access import visible_files
from mentorhaven.files.models import ShareLink, StoredFile
from mentorhaven.files.services import open_content
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.privacy.export.registry import Blob, Section, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _files(user: User):
    """The files the person may read on the pages (``files.access.visible_files``): their own,
    and those of relationships whose inside they see."""
    return visible_files(user).order_by("pk")


def _archive_path(file: StoredFile) -> str | None:
    """Where the content goes in the archive; None when the name (and so the content) is
    erased or unreadable."""
    name = file.filename
    if is_unavailable(name):
        return None
    safe = str(name).replace("/", "_").replace("\\", "_").lstrip(".") or "file"
    return f"files/{file.public_id}/{safe}"


def file_rows(context):
    for file in _files(context.user).select_related("relationship").iterator(chunk_size=500):
        context.read_from(file.uploader_id, "platform")
        yield {
            "id": file.public_id,
            "name": file.filename,
            "uploaded_by": context.name_of(file.uploader_id),
            "relationship": file.relationship.public_id if file.relationship else None,
            "kind": file.mime_type,
            "bytes": file.size,
            "uploaded": file.created_at,
            "in_this_archive": _archive_path(file),
        }


def file_blobs(context):
    for file in _files(context.user).iterator(chunk_size=500):
        path = _archive_path(file)
        if path is None:
            continue
        try:
            chunks = open_content(file)
        except ApplicationError:  # erased or failing its integrity check (already reported)
            continue
        yield Blob(path=path, chunks=partial(iter, chunks))


def share_link_rows(context):
    links = ShareLink.objects.filter(created_by=context.user).prefetch_related("accesses")
    for link in links.select_related("file").order_by("created_at"):
        yield {
            "file": link.file.public_id,
            "made": link.created_at,
            "expires": link.expires_at,
            "password": link.has_password,
            "download_limit": link.max_downloads,
            "downloads": link.download_count,
            "revoked": link.revoked_at,
            "visits": [{"when": a.occurred_at, "what": a.outcome} for a in link.accesses.all()],
        }


register(
    Section(
        key="files",
        title=_("Files of your relationships"),
        models=("files.StoredFile",),
        rows=file_rows,
        blobs=file_blobs,
        source=_("Uploaded by you or by the other participant"),
        order=60,
    )
)
register(
    Section(
        key="share_links",
        title=_("Share links you made"),
        models=("files.ShareLink", "files.ShareLinkAccess"),
        rows=share_link_rows,
        source=_("Made by you; visits recorded by MentorHaven"),
        order=61,
    )
)
