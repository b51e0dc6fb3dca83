"""When a ciphertext fails its integrity check: record it, tell the security officers, go on.

A value that does not authenticate (altered, copied from another row, or re-bound in SQL to
other readers, see ``fields.py``) is shown as unreadable; it never turns a page into an error.
What happens instead:

- one audit event ``vault.integrity_failure`` per damaged value read, with identifiers only (the
  record type and public id as target, the column in ``extra``, the person as pseudonym);
- one content-free e-mail to the security officers of the person's organizations, at most one
  per organization and hour (``IntegrityNotice``), so a page of fifty damaged rows sends one.

Nothing here raises: failing to report must not fail the read that found the damage (it is
logged with identifiers only).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import directory

logger = logging.getLogger("mentorhaven.vault")

ACTION = "vault.integrity_failure"
NOTICE_INTERVAL = timedelta(hours=1)


def report_integrity_failure(*, model: str, column: str, row: str, subject_id: int) -> None:
    """Record the failure and alert the security officers. Never raises."""
    try:
        organizations = _organizations_of(subject_id)
        _record(model=model, column=column, row=row, subject_id=subject_id, orgs=organizations)
        for organization_id in organizations:
            _notify(organization_id)
    except Exception:
        logger.error("vault: could not report an integrity failure row=%s", row)


def _organizations_of(subject_id: int) -> list[int]:
    return directory.organizations_of(subject_id)


def _record(*, model: str, column: str, row: str, subject_id: int, orgs: list[int]) -> None:
    from mentorhaven.kernel import audit, vault

    subject: int | None = subject_id
    try:
        audit.pseudonym(subject_id)
    except vault.VaultError:
        subject = None  # the person's own key row is damaged: record the event without them
    with transaction.atomic():
        audit.record(
            action=ACTION,
            target=(model, row),
            subject=subject,
            purpose="A stored value failed its integrity check",
            category="platform",
            organization=orgs[0] if len(orgs) == 1 else None,
            extra={"column": column},
        )


def _notify(organization_id: int) -> None:
    from mentorhaven.kernel.models import IntegrityNotice

    now = timezone.now()
    if IntegrityNotice.objects.filter(
        organization_id=organization_id, sent_at__gt=now - NOTICE_INTERVAL
    ).exists():
        return
    try:
        with transaction.atomic():
            IntegrityNotice.objects.create(
                organization_id=organization_id,
                window_start=now.replace(minute=0, second=0, microsecond=0),
                sent_at=now,
            )
    except IntegrityError:
        return  # another request of this hour sends it
    addresses = directory.security_officer_addresses(organization_id)
    if not addresses:
        return
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("A stored item failed its integrity check")
    text = _(
        "MentorHaven found a stored item that failed its integrity check: it may have been "
        "altered or moved in the database by someone outside the application. It is shown as "
        "unreadable and nothing was disclosed.\n\n"
        "Look for '%(action)s' events in the audit log for the details. Further failures in the "
        "next hour are recorded there without another e-mail."
    ) % {"action": ACTION}
    # One message per officer: no officer sees the others' addresses.
    messages = [(subject, text, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    transaction.on_commit(lambda: _send_to_officers(messages))


def _send_to_officers(messages: list[tuple[str, str, str | None, list[str]]]) -> None:
    """After commit, and quietly: a mail outage must not fail the read that found the damage.
    The audit event is already recorded; the outage is logged for the operator."""
    try:
        send_mass_mail(messages)
    except Exception:
        logger.exception("could not e-mail the security officers about an integrity failure")
