"""Every write of the files app: uploads, deletions, share links and their use.

Uploads and link creation do their slow part (inspection and encryption of the content,
Argon2 hashing of a password) *before* their transaction, then write the row and its audit event
in one short transaction: on SQLite a write transaction locks the whole database, and a 200 MB
upload must not hold that lock while it is being encrypted. Whatever fails, no half-made row
survives: an upload whose row could not be written has its sealed blob removed again, and a
share link exists only if its token hash, password hash, expiry and audit event all committed.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.files.content import close_chunks, file_store, open_content, token_hash
from mentorhaven.files.models import ShareLink, ShareLinkAccess, StoredFile
from mentorhaven.files.validation import inspect_upload
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import (
    Erased,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    Unreadable,
    ValidationFailed,
)
from mentorhaven.mentoring.access import refuse_if_blocked
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.access import ensure_program_open
from mentorhaven.programs.models import Program

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 25
LINK_DEFAULT_DAYS = 7
LINK_MAX_DAYS = 30
LINK_MAX_DOWNLOADS = 10_000
LINK_PASSWORD_MIN = 8
LINK_PASSWORD_MAX = 1024
TOKEN_BYTES = 32  # 256 bits
# Wrong passwords per link before it refuses every attempt for the rest of the window.
PASSWORD_ATTEMPTS = 5
PASSWORD_WINDOW_SECONDS = 15 * 60
PASSWORD_HASHER = "argon2"  # noqa: S105 (a hasher name, not a password)


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


def _organization_id(file: StoredFile) -> int | None:
    relationship = file.relationship
    return relationship.program.organization_id if relationship is not None else None


# --- files ---------------------------------------------------------------------------------------


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
                organization=_organization_id(file),
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
        organization=_organization_id(file),
    )
    file.delete()

    def remove_blob() -> None:
        try:
            file_store().delete(storage_name)
        except OSError:
            logger.exception("Could not remove a deleted file's sealed blob %s", storage_name)

    transaction.on_commit(remove_blob)


# --- share links ---------------------------------------------------------------------------------


def password_required(file: StoredFile) -> bool:
    relationship = file.relationship
    if relationship is None:
        return False
    return bool(relationship.program.settings.get("share_links_require_password"))


def _clean_password(file: StoredFile, password: str | None) -> str | None:
    if password in (None, ""):
        if password_required(file):
            raise ValidationFailed(
                _("This program requires a password on every share link."),
                code="password_required",
            )
        return None
    assert password is not None
    if not LINK_PASSWORD_MIN <= len(password) <= LINK_PASSWORD_MAX:
        raise ValidationFailed(
            _("The password must be at least %(min)d characters long.")
            % {"min": LINK_PASSWORD_MIN},
            code="password_too_short",
            extra={"min_length": LINK_PASSWORD_MIN},
        )
    return password


def share_link_create(
    *,
    actor: User,
    file: StoredFile,
    password: str | None = None,
    expires_in_days: int = LINK_DEFAULT_DAYS,
    max_downloads: int | None = None,
) -> tuple[ShareLink, str]:
    """Create a share link to one's own file; returns the link and its token (shown once).

    Fails closed: the token hash, the password hash, the expiry and the audit event are written
    in one transaction, and any failure leaves no link behind.
    """
    if actor.pk != file.uploader_id:
        raise PermissionDenied()
    if file.relationship is not None:  # nothing new leaves an archived program either
        ensure_program_open(file.relationship.program_id)
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= LINK_MAX_DAYS:
        raise ValidationFailed(
            _("A link can last from 1 to %(max)d days.") % {"max": LINK_MAX_DAYS},
            code="bad_expiry",
            extra={"max_days": LINK_MAX_DAYS},
        )
    if max_downloads is not None and not 1 <= max_downloads <= LINK_MAX_DOWNLOADS:
        raise ValidationFailed(
            _("The download limit must be between 1 and %(max)d.") % {"max": LINK_MAX_DOWNLOADS},
            code="bad_download_limit",
            extra={"max_downloads": LINK_MAX_DOWNLOADS},
        )
    if vault.is_shredded(file.uploader_id):
        raise Erased()
    clean = _clean_password(file, password)
    password_hash = make_password(clean, hasher=PASSWORD_HASHER) if clean is not None else ""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        link = ShareLink.objects.create(
            file=file,
            created_by=actor,
            token_hash=token_hash(token),
            password_hash=password_hash,
            expires_at=now + timedelta(days=expires_in_days),
            max_downloads=max_downloads,
            created_at=now,
        )
        audit.record(
            action="share_link.create",
            actor=actor,
            target=link,
            subject=actor,
            purpose="Share a file with someone outside the platform",
            category="platform",
            organization=_organization_id(file),
            extra={
                "file": file,
                "password": bool(password_hash),
                "expires_in_days": expires_in_days,
                "max_downloads": max_downloads,
            },
        )
    return link, token


@transaction.atomic
def share_link_revoke(*, actor: User, link: ShareLink) -> ShareLink:
    """Revoke a link at once: the next request to it is refused."""
    link = (
        ShareLink.objects.select_for_update(of=("self",))
        .select_related("file__relationship__program")
        .get(pk=link.pk)
    )
    if actor.pk != link.created_by_id:
        raise PermissionDenied()
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(
            action="share_link.revoke",
            actor=actor,
            target=link,
            subject=actor,
            purpose="Stop sharing a file outside the platform",
            category="platform",
            organization=_organization_id(link.file),
        )
    return link


@transaction.atomic
def share_link_access_record(*, link: ShareLink, outcome: str) -> ShareLinkAccess:
    """Log one visit for the link's owner, and audit it (the visitor is anonymous)."""
    access = ShareLinkAccess.objects.create(link=link, outcome=outcome)
    audit.record(
        action="share_link.access",
        target=link,
        subject=link.created_by_id,
        purpose="Someone outside the platform used a share link",
        category="platform",
        extra={"outcome": outcome},
    )
    return access


def _attempt_reserve(link: ShareLink) -> bool:
    """Take one of the link's password attempts, or say there is none left in this window.

    Two conditional UPDATEs on the link's row, each atomic in the database (a row lock on
    PostgreSQL, the write lock on SQLite): a window that has run out starts again, then an
    attempt is taken only while fewer than ``PASSWORD_ATTEMPTS`` are. The attempt is taken
    *before* the (slow) password check, so parallel guesses cannot all pass a check of the
    count made before any of them failed; and the count lives in the database, shared by
    every server process.
    """
    now = timezone.now()
    ended = now - timedelta(seconds=PASSWORD_WINDOW_SECONDS)
    ShareLink.objects.filter(pk=link.pk).filter(
        Q(password_window_started_at__isnull=True) | Q(password_window_started_at__lte=ended)
    ).update(password_failures=0, password_window_started_at=now)
    taken = ShareLink.objects.filter(pk=link.pk, password_failures__lt=PASSWORD_ATTEMPTS).update(
        password_failures=F("password_failures") + 1
    )
    return bool(taken)


def _attempt_return(link: ShareLink) -> None:
    """The right password costs no attempt: give back the one taken for it."""
    ShareLink.objects.filter(pk=link.pk, password_failures__gt=0).update(
        password_failures=F("password_failures") - 1
    )


def share_link_password_check(*, link: ShareLink, password: str) -> None:
    """Accept the right password, or record the failure and raise.

    At most ``PASSWORD_ATTEMPTS`` wrong passwords per link per window are ever checked, however
    many arrive at once; after that every attempt, right or wrong, is refused with
    ``RateLimited`` until the window ends, so a short password cannot be guessed through the
    link. The counter is per link, not per visitor: the visitor is anonymous and addresses are
    cheap.
    """
    if not _attempt_reserve(link):
        share_link_access_record(link=link, outcome=ShareLinkAccess.Outcome.THROTTLED)
        raise RateLimited(
            _("Too many wrong passwords were tried on this link. Wait 15 minutes, then try again."),
            extra={"retry_after_seconds": PASSWORD_WINDOW_SECONDS},
        )
    if password and check_password(password, link.password_hash):
        _attempt_return(link)
        return
    share_link_access_record(link=link, outcome=ShareLinkAccess.Outcome.WRONG_PASSWORD)
    raise ValidationFailed(_("That password is not right."), code="wrong_password")


@dataclass
class Download:
    """A download that has been counted: the file, and its plaintext chunks to stream."""

    file: StoredFile
    chunks: Iterator[bytes]


def share_link_download(*, link: ShareLink) -> Download | str:
    """Serve the file of a link once: count the download, or say why not (an Outcome).

    The sealed file is opened first, so an erased file is refused without counting; then the
    count is taken under a row lock, so two simultaneous requests cannot both use the last
    download. Call only for a complete GET (or the password POST) that will send the file.
    """
    file = link.file
    try:
        chunks = open_content(file)
    except Erased:
        share_link_access_record(link=link, outcome=ShareLinkAccess.Outcome.ERASED)
        return ShareLinkAccess.Outcome.ERASED
    except Unreadable:
        share_link_access_record(link=link, outcome=ShareLinkAccess.Outcome.UNREADABLE)
        return ShareLinkAccess.Outcome.UNREADABLE
    try:
        with transaction.atomic():
            locked = ShareLink.objects.select_for_update().get(pk=link.pk)
            reason = locked.unavailable_reason()
            if reason is None:
                ShareLink.objects.filter(pk=link.pk).update(download_count=F("download_count") + 1)
                ShareLinkAccess.objects.create(
                    link=locked, outcome=ShareLinkAccess.Outcome.DOWNLOADED
                )
                audit.record_access(
                    viewer=None,
                    subject=file.uploader_id,
                    category="platform",
                    target=file,
                    purpose="File downloaded through a share link",
                    organization=_organization_id(file),
                    extra={"share_link": locked},
                )
    except BaseException:
        close_chunks(chunks)
        raise
    if reason is not None:
        close_chunks(chunks)
        share_link_access_record(link=link, outcome=reason)
        return reason
    return Download(file=file, chunks=chunks)
