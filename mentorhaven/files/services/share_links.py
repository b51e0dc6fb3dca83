"""Share links: making and revoking them, and their use by whoever holds one.

A link's token is shown once and kept only as a hash; its password (if any) is hashed with
Argon2 *before* the transaction, and a link exists only if its token hash, password hash,
expiry and audit event all committed. Wrong passwords are counted per link and refused for the
rest of the window after ``PASSWORD_ATTEMPTS``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.files.content import close_chunks, open_content, token_hash
from mentorhaven.files.models import ShareLink, ShareLinkAccess, StoredFile
from mentorhaven.files.services.uploads import organization_of
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import (
    Erased,
    PermissionDenied,
    RateLimited,
    Unreadable,
    ValidationFailed,
)
from mentorhaven.programs.access import ensure_program_open

logger = logging.getLogger(__name__)

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
            organization=organization_of(file),
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
            organization=organization_of(link.file),
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
                    organization=organization_of(file),
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
