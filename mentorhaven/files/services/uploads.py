"""Uploads and deletions of files.

An upload does its slow part (inspecting and encrypting the content) *before* its transaction,
then writes the row and its audit event in one short transaction: on SQLite a write transaction
locks the whole database, and a 200 MB upload must not hold that lock while it is being
encrypted. An upload whose row could not be written has its sealed blob removed again. Each
person has ``UPLOADS_AT_ONCE`` upload slots, and each person and program a storage quota.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.files.content import file_store
from mentorhaven.files.models import StoredFile
from mentorhaven.files.validation import inspect_upload
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import (
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
)
from mentorhaven.mentoring.access import refuse_if_blocked
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.access import ensure_program_open
from mentorhaven.programs.models import Program

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 25


# Uploads one person may have in progress at once (per cache: all processes with Redis). With
# the process's two decoding turns for pictures (validation/limits.py), one person cannot tie up
# the server's memory, and the others still get their turn.
UPLOADS_AT_ONCE = 2
# A slot a crashed process never gave back frees itself after this.
UPLOAD_SLOT_SECONDS = 15 * 60


def max_upload_bytes() -> int:
    return int(getattr(settings, "FILES_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * MiB


def person_quota_bytes() -> int:
    return int(settings.FILES_QUOTA_PERSON_MB) * MiB


def program_quota_bytes() -> int:
    return int(settings.FILES_QUOTA_PROGRAM_MB) * MiB


@contextmanager
def _upload_slot(actor: User) -> Iterator[None]:
    """Hold one of the person's ``UPLOADS_AT_ONCE`` upload slots, or refuse with 429."""
    key = f"files:uploads-in-progress:{actor.pk}"
    cache.add(key, 0, UPLOAD_SLOT_SECONDS)
    try:
        taken = cache.incr(key)  # atomic in the cache: two uploads never share a last slot
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, UPLOAD_SLOT_SECONDS)
        taken = 1
    try:
        if taken > UPLOADS_AT_ONCE:
            raise RateLimited(
                _(
                    "You already have %(n)d uploads in progress. Wait for them to finish, "
                    "then try again."
                )
                % {"n": UPLOADS_AT_ONCE},
                code="too_many_uploads",
                extra={"max_concurrent_uploads": UPLOADS_AT_ONCE},
            )
        yield
    finally:
        with suppress(ValueError):  # the counter expired meanwhile
            cache.decr(key)


def _used_by_person(actor: User) -> int:
    return StoredFile.objects.filter(uploader=actor).aggregate(n=Sum("size"))["n"] or 0


def _used_by_program(program_id: int) -> int:
    used = StoredFile.objects.filter(relationship__program_id=program_id).aggregate(n=Sum("size"))
    return used["n"] or 0


def _refuse_over_quota(*, actor: User, relationship: Relationship | None, size: int) -> None:
    """Refuse ``size`` more bytes past the uploader's or the program's storage allowance.

    Inside the upload's transaction, the uploader's row (and the program's) is locked first, so
    two uploads cannot both fit into the same last megabytes."""
    User.objects.select_for_update().filter(pk=actor.pk).exists()
    if _used_by_person(actor) + size > person_quota_bytes():
        raise QuotaExceeded(
            _("You have used your %(mb)d MB of file storage. Delete files you no longer need.")
            % {"mb": settings.FILES_QUOTA_PERSON_MB},
            extra={"quota": "person", "quota_bytes": person_quota_bytes()},
        )
    if relationship is not None:
        Program.objects.select_for_update().filter(pk=relationship.program_id).exists()
        if _used_by_program(relationship.program_id) + size > program_quota_bytes():
            raise QuotaExceeded(
                _("This program has used its file storage. Ask its coordinators for room."),
                extra={"quota": "program", "quota_bytes": program_quota_bytes()},
            )


def organization_of(file: StoredFile) -> int | None:
    """The organization a file's audit events are filed under (None for a file outside any
    relationship)."""
    relationship = file.relationship
    return relationship.program.organization_id if relationship is not None else None


def file_upload(
    *, actor: User, fileobj: IO[bytes], declared_name: str, relationship: Relationship | None = None
) -> StoredFile:
    """Inspect, seal under the uploader's key, and keep one file.

    ``relationship`` is the shared space (the caller found it through
    ``access_relationship_content(..., write=True)``; checked again here). The content is
    streamed: inspection spools it to a temporary file and encryption reads it back one chunk at
    a time, so memory stays flat whatever the size. Refusals raise ``ValidationFailed``
    (``QuotaExceeded`` past the person's or the program's storage allowance), and
    ``RateLimited`` when the person already has ``UPLOADS_AT_ONCE`` uploads in progress.
    """
    if relationship is not None and not (
        actor.pk in relationship.participant_ids()
        # Read again: the relationship may have ended since the caller loaded it.
        and Relationship.objects.filter(
            pk=relationship.pk, status=Relationship.Status.ACTIVE
        ).exists()
    ):
        raise PermissionDenied()
    if relationship is not None:
        refuse_if_blocked(actor, relationship)  # a block stops uploads into it too
        ensure_program_open(relationship.program_id)
    with _upload_slot(actor):
        # Already full: refuse before spending anything on the content.
        _refuse_over_quota_early(actor=actor, relationship=relationship)
        return _file_store_new(
            actor=actor, fileobj=fileobj, declared_name=declared_name, relationship=relationship
        )


def _refuse_over_quota_early(*, actor: User, relationship: Relationship | None) -> None:
    if _used_by_person(actor) >= person_quota_bytes() or (
        relationship is not None
        and _used_by_program(relationship.program_id) >= program_quota_bytes()
    ):
        _refuse_over_quota(actor=actor, relationship=relationship, size=1)


def _file_store_new(
    *, actor: User, fileobj: IO[bytes], declared_name: str, relationship: Relationship | None
) -> StoredFile:
    store = file_store()
    with inspect_upload(
        fileobj, declared_name=declared_name, max_bytes=max_upload_bytes()
    ) as inspected:
        file = StoredFile(
            public_id=uuid.uuid4(),
            uploader=actor,
            relationship=relationship,
            mime_type=inspected.mime_type,
            size=inspected.size,
            filename=inspected.safe_name,
        )
        file.storage_name = store.store(
            subject=actor, fileobj=inspected.content, binding=file.content_binding()
        )
        kind = inspected.kind.key
        cleaned = inspected.metadata_removed
    try:
        with transaction.atomic():
            _refuse_over_quota(actor=actor, relationship=relationship, size=file.size)
            file.save(force_insert=True)
            audit.record(
                action="file.upload",
                actor=actor,
                target=file,
                subject=actor,
                purpose="Share a file in a mentoring relationship",
                category="platform",
                organization=organization_of(file),
                extra={
                    "kind": kind,
                    "size": file.size,
                    "metadata_removed": cleaned,
                    "relationship": relationship,  # a reference: stored as a keyed pseudonym
                },
            )
    except BaseException:
        store.delete(file.storage_name)
        raise
    return file


@transaction.atomic
def file_delete(*, actor: User, file: StoredFile) -> None:
    """Delete one's own file: the row, its share links and their log now, the sealed blob once
    the deletion has committed (so a rolled-back deletion never loses the content)."""
    if actor.pk != file.uploader_id:
        raise PermissionDenied()
    storage_name = file.storage_name
    audit.record(
        action="file.delete",
        actor=actor,
        target=file,
        subject=file.uploader_id,
        purpose="The uploader deleted their file",
        category="platform",
        organization=organization_of(file),
    )
    file.delete()

    def remove_blob() -> None:
        try:
            file_store().delete(storage_name)
        except OSError:
            logger.exception("Could not remove a deleted file's sealed blob %s", storage_name)

    transaction.on_commit(remove_blob)
