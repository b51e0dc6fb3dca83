"""Writes of the program library: add, change, archive and restore a resource; count a view.

A document is checked like any upload (``files.validation.inspect_upload``: the allow-list,
metadata removed); a video is checked as MP4 or WebM (``inspect_video``) against its own size
limit (``LIBRARY_MAX_VIDEO_MB``). Either is sealed in the encrypted file store under the
uploader's key before the row is written; if the row cannot be written the blob is deleted.
"""

from __future__ import annotations

import uuid
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.community.domain import link_problem
from mentorhaven.files.content import file_store
from mentorhaven.files.services import max_upload_bytes
from mentorhaven.files.validation import InspectedFile, inspect_upload, inspect_video
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.library import domain
from mentorhaven.library.models import Resource
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Program

MiB = 1024 * 1024


def max_video_bytes() -> int:
    return int(settings.LIBRARY_MAX_VIDEO_MB) * MiB


def _require_runs(actor: User, program: Program) -> None:
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()


def _text(value: str | None, *, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationFailed(_("This text is too long."), code="too_long", extra={"max": limit})
    return value


def _clean(
    *, kind: str, audience: str, title: str, description: str, tags: str, body: str, url: str
) -> dict:
    if kind not in Resource.Kind.values:
        raise ValidationFailed(_("Choose an article, a link, a document or a video."), code="kind")
    if audience not in Resource.Audience.values:
        raise ValidationFailed(_("Choose who the resource is for."), code="audience")
    cleaned_title = _text(title, limit=domain.TITLE_LIMIT)
    if not cleaned_title:
        raise ValidationFailed(_("Give the resource a title."), code="empty")
    tag_list = domain.clean_tags(_text(tags, limit=domain.TAGS_MAX * (domain.TAG_LIMIT + 2)))
    if len(tag_list) > domain.TAGS_MAX or any(len(t) > domain.TAG_LIMIT for t in tag_list):
        raise ValidationFailed(
            _("Use at most %(n)d tags of up to %(len)d characters.")
            % {"n": domain.TAGS_MAX, "len": domain.TAG_LIMIT},
            code="bad_tags",
        )
    cleaned = {
        "audience": audience,
        "title": cleaned_title,
        "description": _text(description, limit=domain.TEXT_LIMIT) or None,
        "tags": ",".join(tag_list) or None,
        "body": None,
        "url": None,
    }
    if kind == Resource.Kind.ARTICLE:
        cleaned["body"] = _text(body, limit=domain.BODY_LIMIT)
        if not cleaned["body"]:
            raise ValidationFailed(_("An article needs its text."), code="no_body")
    elif kind == Resource.Kind.LINK:
        cleaned["url"] = _text(url, limit=domain.URL_LIMIT)
        if not cleaned["url"] or link_problem(cleaned["url"]):
            raise ValidationFailed(_("A link needs an https address."), code="bad_link")
    return cleaned


def _inspect(kind: str, fileobj: IO[bytes] | None, declared_name: str) -> InspectedFile:
    if fileobj is None:
        raise ValidationFailed(_("Choose the file to upload."), code="no_file")
    if kind == Resource.Kind.VIDEO:
        return inspect_video(fileobj, declared_name=declared_name, max_bytes=max_video_bytes())
    return inspect_upload(fileobj, declared_name=declared_name, max_bytes=max_upload_bytes())


def _audit(action: str, *, actor: User, resource: Resource, purpose: str, **extra) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=resource,
        subject=actor,
        purpose=purpose,
        category="program",
        organization=resource.program.organization_id,
        extra=extra or None,
    )


def resource_create(
    *,
    actor: User,
    program: Program,
    kind: str,
    audience: str,
    title: str,
    description: str = "",
    tags: str = "",
    body: str = "",
    url: str = "",
    fileobj: IO[bytes] | None = None,
    declared_name: str = "",
) -> Resource:
    """Add a resource to a program the actor runs. Its text is encrypted under the actor's key;
    a document's or video's content is checked, then sealed under the actor's key."""
    _require_runs(actor, program)
    resource = Resource(
        public_id=uuid.uuid4(),
        program=program,
        author=actor,
        kind=kind,
        **_clean(
            kind=kind,
            audience=audience,
            title=title,
            description=description,
            tags=tags,
            body=body,
            url=url,
        ),
    )
    store = file_store()
    if resource.has_file:
        with _inspect(kind, fileobj, declared_name) as inspected:
            resource.uploader = actor
            resource.filename = inspected.safe_name
            resource.mime_type = inspected.mime_type
            resource.size = inspected.size
            resource.storage_name = store.store(
                subject=actor, fileobj=inspected.content, binding=resource.content_binding()
            )
    try:
        with transaction.atomic():
            resource.save(force_insert=True)
            _audit(
                "resource.create",
                actor=actor,
                resource=resource,
                purpose="Library resource added",
                kind=kind,
                size=resource.size,
            )
    except BaseException:
        if resource.storage_name:
            store.delete(resource.storage_name)
        raise
    return resource


def _locked(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().select_related("program").get(pk=resource.pk)


@transaction.atomic
def resource_update(
    *,
    actor: User,
    resource: Resource,
    audience: str,
    title: str,
    description: str = "",
    tags: str = "",
    body: str = "",
    url: str = "",
) -> Resource:
    """Change a resource's text and audience; the text is encrypted again under the key of the
    admin who changed it. A file is not replaced: add a new resource and archive this one."""
    resource = _locked(resource)
    _require_runs(actor, resource.program)
    for name, value in _clean(
        kind=resource.kind,
        audience=audience,
        title=title,
        description=description,
        tags=tags,
        body=body,
        url=url,
    ).items():
        setattr(resource, name, value)
    resource.author = actor
    resource.updated_at = timezone.now()
    resource.save()
    _audit("resource.update", actor=actor, resource=resource, purpose="Library resource changed")
    return resource


@transaction.atomic
def resource_archive(*, actor: User, resource: Resource, archived: bool = True) -> Resource:
    """Archive a resource (participants no longer see it; its admins still do) or restore it."""
    resource = _locked(resource)
    _require_runs(actor, resource.program)
    if resource.is_archived != archived:
        resource.archived_at = timezone.now() if archived else None
        resource.save(update_fields=["archived_at"])
        _audit(
            "resource.archive" if archived else "resource.restore",
            actor=actor,
            resource=resource,
            purpose="Library resource archived" if archived else "Library resource restored",
        )
    return resource


def resource_viewed(*, resource: Resource) -> None:
    """Count one opening of a resource: one counter per resource, nothing about who opened it
    (so no audit event either: it would be exactly the per-person record we do not keep)."""
    Resource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)


def resources_erase(*, user: User) -> dict[str, int]:
    """Erasure: the resources a person wrote or uploaded are deleted, with their sealed files
    once the deletion has committed. Their text and content were under the person's key and
    would read as erased anyway; a library entry that says nothing is no use to the program."""
    found = Resource.objects.filter(author=user) | Resource.objects.filter(uploader=user)
    names = [n for n in found.values_list("storage_name", flat=True) if n]
    deleted, _counts = found.delete()
    store = file_store()

    def remove_blobs() -> None:
        for name in names:
            store.delete(name)

    transaction.on_commit(remove_blobs)
    return {"resources": deleted, "files": len(names)}
