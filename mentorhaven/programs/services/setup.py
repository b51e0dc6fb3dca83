"""Starting from an empty install: the one-time set-up token and the first organization.

Policy: while no organization exists, the operator prints a set-up token on the server
(``mentorhaven setup-token``, or ``mentorhaven run``); whoever holds it may create the first
organization and invite its first admin from the first-run page. Only a SHA-256 of the token is
kept; it lives ``SETUP_TOKEN_MINUTES``, works once, and a new one replaces any older one. After
``SETUP_MAX_ATTEMPTS`` wrong tokens the current one is void and a new one must be printed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, ValidationFailed
from mentorhaven.programs.models import Invitation, Organization, SetupToken
from mentorhaven.programs.services.invitations import invitation_first_admin
from mentorhaven.programs.services.programs import AUDIT_CATEGORY_PROGRAM, organization_create

SETUP_TOKEN_BYTES = 32
SETUP_TOKEN_MINUTES = 60
SETUP_MAX_ATTEMPTS = 5
MAX_TOKEN_CHARS = 128


def setup_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def setup_token_issue() -> str:
    """A new set-up token (returned once, to be printed), replacing any earlier one. Conflict
    once an organization exists: the first-run page is closed for good then."""
    if Organization.objects.exists():
        raise Conflict(_("MentorHaven is already set up: an organization exists."), code="set_up")
    now = timezone.now()
    SetupToken.objects.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(SETUP_TOKEN_BYTES)
    row = SetupToken.objects.create(
        token_hash=setup_token_hash(token),
        created_at=now,
        expires_at=now + timedelta(minutes=SETUP_TOKEN_MINUTES),
    )
    audit.record(
        action="setup.token_issue",
        actor=None,
        target=row,
        purpose="let the operator set up an empty install",
        category=AUDIT_CATEGORY_PROGRAM,
    )
    return token


def _current_token() -> SetupToken | None:
    """The one token that may still work, locked: not used, not expired, not worn out."""
    return (
        SetupToken.objects.select_for_update()
        .filter(
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=SETUP_MAX_ATTEMPTS,
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class SetupResult:
    organization: Organization
    invitation: Invitation


def setup_complete(
    *, token: str, name: str, slug: str, admin_email: str, admin_name: str = ""
) -> SetupResult:
    """Create the first organization and invite its first admin, with the set-up token.

    NotFound once an organization exists. A wrong, used, expired or worn-out token gets one
    ValidationFailed (the visitor learns nothing more); a wrong guess is counted against the
    current token, in a transaction of its own so that the refusal cannot roll the count back.
    A mistake in the organization's details leaves the token unused.
    """
    refused = False
    with transaction.atomic():
        if Organization.objects.exists():
            raise NotFound()
        current = _current_token()
        token = (token or "").strip()[:MAX_TOKEN_CHARS]
        if current is None or not hmac.compare_digest(
            current.token_hash.encode(), setup_token_hash(token).encode()
        ):
            refused = True
            if current is not None:
                SetupToken.objects.filter(pk=current.pk).update(
                    failed_attempts=F("failed_attempts") + 1
                )
            audit.record(
                action="setup.token_refuse",
                actor=None,
                target=current,
                purpose="refuse a wrong set-up token",
                category=AUDIT_CATEGORY_PROGRAM,
            )
        else:
            organization = organization_create(actor=None, name=name, slug=slug)
            invitation = invitation_first_admin(
                organization=organization, email=admin_email, display_name=admin_name
            )
            current.used_at = timezone.now()
            current.save(update_fields=["used_at"])
    if refused:
        raise ValidationFailed(
            _(
                "This set-up token is wrong, used or expired. Print a new one on the server "
                "with “mentorhaven setup-token”."
            ),
            code="bad_setup_token",
        )
    return SetupResult(organization=organization, invitation=invitation)
