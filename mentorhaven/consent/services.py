"""Every write of consent, restriction and data requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.consent import withdrawal
from mentorhaven.consent.domain import TEXTS, Method, Purpose, add_one_month
from mentorhaven.consent.models import (
    ConsentRecord,
    DataProtectionOfficer,
    DataRequest,
    Restriction,
)
from mentorhaven.consent.selectors import has_consent
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.programs.models import Organization, OrgMembership

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MAX_DETAILS = 5000


def _clean_details(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DETAILS:
        raise ValidationFailed(_("Keep it under 5,000 characters."), code="too_long")
    return text


def _purpose(purpose: str) -> Purpose:
    try:
        return Purpose(purpose)
    except ValueError:
        raise ValidationFailed(
            _("Choose one of the consent purposes."), code="bad_purpose"
        ) from None


def _method(method: str) -> str:
    if method not in Method.values or method == Method.MIGRATED:
        raise ValidationFailed(_("Unknown way of giving consent."), code="bad_method")
    return method


def _lock_user(user: User) -> None:
    # Two clicks at once must not record two changes: serialise one person's consent writes.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def consent_give(*, actor: User, purpose: str, method: str) -> ConsentRecord | None:
    """Record the actor's opt-in to ``purpose`` under the current text. Returns None when it
    is already given to that very text (nothing to record)."""
    chosen, method = _purpose(purpose), _method(method)
    _lock_user(actor)
    text = TEXTS[chosen]
    newest = ConsentRecord.objects.filter(user=actor, purpose=chosen).first()
    if newest is not None and newest.given and newest.text_sha256 == text.sha256:
        return None
    record = ConsentRecord.objects.create(
        user=actor,
        purpose=chosen,
        given=True,
        text_version=text.version,
        text_sha256=text.sha256,
        method=method,
    )
    suggestions_mark_stale(program=None)  # consent decides which answers count for matching
    audit.record(
        action="consent.give",
        actor=actor,
        target=record,
        subject=actor,
        purpose="Consent given",
        extra={"purpose": chosen.value, "method": method},
    )
    return record


@transaction.atomic
def consent_withdraw(*, actor: User, purpose: str, method: str) -> bool:
    """Withdraw the actor's consent to ``purpose``; it takes effect everywhere at once, since
    every use asks ``has_consent``/``processing.allowed`` when it runs. Withdrawing consent
    to matching with sensitive answers also deletes those answers and removes them from every
    derived score: the apps that used the consent undo what it allowed (``withdrawal``; for
    sensitive answers ``matching.services.sensitive_answers_remove``). Returns whether anything
    changed."""
    chosen, method = _purpose(purpose), _method(method)
    _lock_user(actor)
    if not has_consent(actor, chosen):
        return False
    text = TEXTS[chosen]
    record = ConsentRecord.objects.create(
        user=actor,
        purpose=chosen,
        given=False,
        text_version=text.version,
        text_sha256=text.sha256,
        method=method,
    )
    suggestions_mark_stale(program=None)
    removed = withdrawal.undo(chosen, user=actor)
    audit.record(
        action="consent.withdraw",
        actor=actor,
        target=record,
        subject=actor,
        purpose="Consent withdrawn",
        extra={"purpose": chosen.value, "method": method, "answers_deleted": removed},
    )
    return True


def _organization_of(actor: User, organization: Organization | None) -> Organization:
    mine = Organization.objects.filter(members__user=actor).distinct()
    if organization is None:
        found = list(mine[:2])
        if len(found) != 1:
            raise ValidationFailed(_("Choose the organization."), code="organization_required")
        return found[0]
    if not mine.filter(pk=organization.pk).exists():
        raise NotFound()
    return organization


@transaction.atomic
def data_request_create(
    *, actor: User, kind: str, details: str = "", organization: Organization | None = None
) -> DataRequest:
    """File a request with one of the actor's organizations; it is due one month after it is
    received. The details are encrypted under the actor's key."""
    if kind not in DataRequest.Kind.values:
        raise ValidationFailed(_("Choose the kind of request."), code="bad_kind")
    organization = _organization_of(actor, organization)
    text = _clean_details(details)
    if kind == DataRequest.Kind.CORRECTION and not text:
        raise ValidationFailed(
            _("Say what is wrong and what it should be."), code="details_required"
        )
    received = timezone.now()
    request = DataRequest.objects.create(
        requester=actor,
        organization=organization,
        kind=kind,
        details=text or None,
        received_at=received,
        due_at=add_one_month(received),
    )
    audit.record(
        action="data_request.create",
        actor=actor,
        target=request,
        subject=actor,
        purpose="Data-protection request received",
        organization=organization,
        extra={"kind": kind},
    )
    return request


@transaction.atomic
def data_request_status_set(*, actor: User, request: DataRequest, status: str) -> DataRequest:
    """An officer moves a request on. Closing a restriction request ends the dispute, so the
    restriction it opened is lifted."""
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not DataProtectionOfficer.objects.filter(
        user=actor, organization_id=request.organization_id
    ).exists():
        raise PermissionDenied()
    if status not in DataRequest.Status.values:
        raise ValidationFailed(_("Choose a status."), code="bad_status")
    if request.is_closed:
        raise Conflict(_("This request is already closed."), code="closed")
    request.status = status
    request.handled_by = actor
    request.closed_at = timezone.now() if status in DataRequest.CLOSED else None
    request.save(update_fields=["status", "handled_by", "closed_at"])
    audit.record(
        action="data_request.status",
        actor=actor,
        target=request,
        subject=request.requester,
        purpose="Data-protection request handled",
        organization=request.organization_id,
        extra={"status": status, "kind": request.kind},
    )
    if request.is_closed:
        for restriction in Restriction.objects.filter(request=request, lifted_at__isnull=True):
            _lift(restriction, actor=actor)
    return request


@transaction.atomic
def restriction_start(
    *, actor: User, details: str = "", organization: Organization | None = None
) -> Restriction:
    """Freeze processing of the actor's data (no matching, analytics or reminders) while their
    dispute is open, and file it as a restriction request for the data-protection officers."""
    _lock_user(actor)
    if Restriction.objects.filter(user=actor, lifted_at__isnull=True).exists():
        raise Conflict(_("Processing of your data is already restricted."), code="restricted")
    request = data_request_create(
        actor=actor,
        kind=DataRequest.Kind.RESTRICTION,
        details=details,
        organization=organization,
    )
    restriction = Restriction.objects.create(user=actor, request=request)
    suggestions_mark_stale(program=None)  # a restricted person is not matched
    audit.record(
        action="restriction.start",
        actor=actor,
        target=restriction,
        subject=actor,
        purpose="Processing restricted during a dispute",
        organization=request.organization_id,
    )
    return restriction


def _lift(restriction: Restriction, *, actor: User) -> None:
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    suggestions_mark_stale(program=None)
    audit.record(
        action="restriction.lift",
        actor=actor,
        target=restriction,
        subject=restriction.user,
        purpose="Restriction of processing lifted",
        organization=restriction.request.organization_id if restriction.request else None,
    )


@transaction.atomic
def restriction_lift(*, actor: User, restriction: Restriction) -> Restriction:
    """The person lifts their own restriction (officers lift it by closing the request)."""
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.user_id != actor.pk:
        raise NotFound()
    if restriction.lifted_at is not None:
        raise Conflict(_("This restriction was already lifted."), code="lifted")
    _lift(restriction, actor=actor)
    return restriction


@transaction.atomic
def dpo_appoint(
    *, actor: User | None, organization: Organization, user: User
) -> DataProtectionOfficer:
    """An organization admin gives one of the organization's people its data-protection role."""
    admins = OrgMembership.objects.filter(
        organization=organization, user=actor, role=OrgMembership.Role.ORG_ADMIN
    )
    if actor is not None and not admins.exists():
        raise PermissionDenied()
    if not OrgMembership.objects.filter(organization=organization, user=user).exists():
        raise ValidationFailed(
            _("This person is not a member of the organization."), code="not_a_member"
        )
    officer, created = DataProtectionOfficer.objects.get_or_create(
        organization=organization, user=user, defaults={"appointed_by": actor}
    )
    if created:
        audit.record(
            action="dpo.appoint",
            actor=actor,
            target=officer,
            subject=user,
            purpose="Data-protection role given",
            organization=organization,
        )
    return officer
