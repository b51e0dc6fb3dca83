"""What a data export holds from the library (privacy/export/registry.py): the resources the
person wrote or uploaded, with their files. How often a resource was opened is not about the
person and is not included; nothing records what the person opened."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mentorhaven.files.content import file_store
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.library.models import Resource
from mentorhaven.privacy.export.registry import Blob, Section, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _mine(user: User) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(Q(author=user) | Q(uploader=user))
        .select_related("program")
        .order_by("pk")
    )


def _archive_path(resource: Resource) -> str | None:
    if not resource.has_file or is_unavailable(resource.filename):
        return None
    safe = str(resource.filename).replace("/", "_").replace("\\", "_").lstrip(".") or "file"
    return f"library/{resource.public_id}/{safe}"


def resource_rows(context):
    for resource in _mine(context.user).iterator(chunk_size=200):
        yield {
            "resource": resource.public_id,
            "program": resource.program.name,
            "kind": resource.kind,
            "for": resource.audience,
            "title": resource.title,
            "description": resource.description,
            "tags": resource.tags,
            "text": resource.body,
            "address": resource.url,
            "file_name": resource.filename,
            "you_wrote_the_text": resource.author_id == context.user.pk,
            "you_uploaded_the_file": resource.uploader_id == context.user.pk,
            "added": resource.created_at,
            "archived": resource.archived_at,
            "in_this_archive": _archive_path(resource),
        }


def resource_blobs(context):
    store = file_store()
    for resource in _mine(context.user).filter(uploader=context.user).iterator(chunk_size=200):
        path = _archive_path(resource)
        if path is None or not resource.storage_name:
            continue
        try:
            chunks = store.open(
                subject=context.user,  # the uploader (filtered above)
                name=resource.storage_name,
                binding=resource.content_binding(),
            )
        except (ApplicationError, vault.VaultError):  # erased, or failing its integrity check
            continue
        yield Blob(path=path, chunks=partial(iter, chunks))


register(
    Section(
        key="library_resources",
        title=_("Library resources you added"),
        models=("library.Resource",),
        rows=resource_rows,
        blobs=resource_blobs,
        source=_("Written or uploaded by you for a program you run"),
        order=67,
    )
)
