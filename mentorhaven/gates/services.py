"""Every write of the gates: publishing and accepting agreements, passing the training, and
the life of a break-glass grant (request → approve or reject → expire by itself or revoke)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.gates import domain
from mentorhaven.gates.access import (
    admin_organizations,
    breakglass_programs,
    breakglass_subjects,
)
from mentorhaven.gates.models import (
    AgreementAcceptance,
    AgreementVersion,
    BreakGlassGrant,
    TrainingCompletion,
)
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.mail import send_after_commit
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MAX_AGREEMENT_CHARS = 20_000
MAX_JUSTIFICATION_CHARS = 4_000


# --- confidentiality agreement -----------------------------------------------------------------


@transaction.atomic
def agreement_publish(*, actor: User, program: Program, text: str) -> AgreementVersion:
    """Publish a new version of ``program``'s agreement; the previous one is superseded and
    every participant is asked to accept again. ``program`` was accessed with ``write=True``."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the agreement's text."), code="agreement_empty")
    if len(text) > MAX_AGREEMENT_CHARS:
        raise ValidationFailed(_("The agreement is too long."), code="agreement_too_long")
    Program.objects.select_for_update().filter(pk=program.pk).first()  # one publisher at a time
    previous = AgreementVersion.objects.filter(program=program, superseded_at__isnull=True).first()
    now = timezone.now()
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    version = AgreementVersion.objects.create(
        program=program,
        number=(previous.number + 1) if previous else _next_number(program),
        text=text,
        text_sha256=domain.text_hash(text),
        published_by=actor,
        published_at=now,
    )
    audit.record(
        action="agreement.publish",
        actor=actor,
        actor_role="org_admin",
        target=version,
        purpose="Publish a confidentiality agreement",
        organization=program.organization_id,
        extra={"number": version.number},
    )
    return version


def _next_number(program: Program) -> int:
    last = AgreementVersion.objects.filter(program=program).order_by("-number").first()
    return (last.number + 1) if last else 1


@transaction.atomic
def agreement_accept(*, actor: User, version: AgreementVersion) -> AgreementAcceptance:
    """``actor`` accepts the current ``version`` (accessed through
    ``access_agreement_to_accept``). Accepting twice keeps the first acceptance."""
    if version.superseded_at is not None:
        raise Conflict(
            _("A newer version of this agreement has been published."), code="agreement_superseded"
        )
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        version=version, user=actor, defaults={"text_sha256": version.text_sha256}
    )
    if created:
        audit.record(
            action="agreement.accept",
            actor=actor,
            target=version,
            subject=actor,
            purpose="Confidentiality agreement accepted",
            organization=version.program.organization_id,
            extra={"number": version.number},
        )
    return acceptance


# --- security training --------------------------------------------------------------------------


@transaction.atomic
def training_submit(*, actor: User, answers: dict[str, str]) -> tuple[bool, int]:
    """Grade the quiz. A pass is recorded (valid for a year); a fail only audited. Returns
    (passed, score)."""
    score = domain.grade(answers)
    passed = domain.passed(score)
    if passed:
        TrainingCompletion.objects.create(
            user=actor, module_version=domain.TRAINING_MODULE_VERSION, score=score
        )
    audit.record(
        action="training.pass" if passed else "training.fail",
        actor=actor,
        subject=actor,
        purpose="Mentor security training",
        # Pass or fail is the action; the score itself stays out of the long-lived log.
        extra={"module": domain.TRAINING_MODULE_VERSION},
    )
    return passed, score


# --- break-glass -------------------------------------------------------------------------------


@transaction.atomic
def breakglass_request(
    *,
    actor: User,
    organization,
    subject,
    relationship=None,
    reason: str,
    justification: str,
    hours: int,
    legal_exception_reason: str = "",
) -> BreakGlassGrant:
    """An org admin asks to read protected content about ``subject`` (the person, or one
    relationship of theirs) for ``hours`` (1-24). Nothing opens until a second admin approves.
    The subject must be a mentor or mentee of a program the admin runs in that organization
    (``access.breakglass_subjects``), and the relationship one of those programs'."""
    if not admin_organizations(actor).filter(organization_id=organization.pk).exists():
        raise NotFound()
    if not breakglass_subjects(actor, organization.pk).filter(pk=subject.pk).exists():
        raise NotFound()
    if relationship is not None and (
        not breakglass_programs(actor, organization.pk).filter(pk=relationship.program_id).exists()
        or subject.pk not in (relationship.mentee_id, relationship.mentor_id)
    ):
        raise NotFound()
    if reason not in BreakGlassGrant.Reason.values:
        raise ValidationFailed(_("Choose a reason."), code="breakglass_reason")
    justification = (justification or "").strip()
    if len(justification) < 20 or len(justification) > MAX_JUSTIFICATION_CHARS:
        raise ValidationFailed(
            _("Explain in at least 20 characters why this access is needed."),
            code="breakglass_justification",
        )
    if not isinstance(hours, int) or not 1 <= hours <= domain.MAX_GRANT_HOURS:
        raise ValidationFailed(
            _("Access lasts between 1 and 24 hours."), code="breakglass_duration"
        )
    exception = (legal_exception_reason or "").strip()
    if len(exception) > MAX_JUSTIFICATION_CHARS:
        raise ValidationFailed(_("The legal exception is too long."), code="breakglass_exception")
    grant = BreakGlassGrant.objects.create(
        organization=organization,
        requested_by=actor,
        subject=subject,
        relationship=relationship,
        scope=(
            BreakGlassGrant.Scope.RELATIONSHIP if relationship else BreakGlassGrant.Scope.PERSON
        ),
        reason=reason,
        justification=justification,
        legal_exception=bool(exception),
        legal_exception_reason=exception or None,
        hours=hours,
    )
    audit.record(
        action="breakglass.request",
        actor=actor,
        actor_role="org_admin",
        target=grant,
        purpose="Ask for emergency access to protected content",
        organization=organization.pk,
        extra={"reason": reason, "hours": hours, "legal_exception": grant.legal_exception},
    )
    return grant


def _pending(grant: BreakGlassGrant) -> BreakGlassGrant:
    locked = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.status != BreakGlassGrant.Status.PENDING:
        raise Conflict(_("This request has already been decided."), code="breakglass_decided")
    return locked


def _check_second_admin(actor: User, grant: BreakGlassGrant) -> None:
    if actor.pk == grant.requested_by_id:
        # A plain permission refusal: the requester sees the request but may not decide it, and
        # the page answers 403 with this reason (web/edge.py).
        raise PermissionDenied(
            _("A second admin must decide on this request: nobody approves their own.")
        )
    if not admin_organizations(actor).filter(organization_id=grant.organization_id).exists():
        raise NotFound()


@transaction.atomic
def breakglass_approve(*, actor: User, grant: BreakGlassGrant) -> BreakGlassGrant:
    """A second, different admin of the organization approves: access opens now and closes by
    itself ``hours`` later. The people in scope are told (after commit), unless a legal
    exception was recorded."""
    _check_second_admin(actor, grant)
    grant = _pending(grant)
    now = timezone.now()
    grant.status = BreakGlassGrant.Status.APPROVED
    grant.approved_by = actor
    grant.decided_at = now
    grant.expires_at = domain.grant_expiry(now, grant.hours)
    grant.save(update_fields=["status", "approved_by", "decided_at", "expires_at"])
    withheld = grant.legal_exception
    for person in people_in_scope(grant):
        audit.record(
            action="breakglass.approve_withheld" if withheld else "breakglass.approve",
            actor=actor,
            actor_role="org_admin",
            target=grant,
            subject=person,
            purpose="Approve emergency access to protected content",
            organization=grant.organization_id,
            extra={"reason": grant.reason, "hours": grant.hours, "grant": grant},
        )
        if not withheld:
            send_after_commit(functools.partial(_tell, person, grant), "break-glass")
    return grant


@transaction.atomic
def breakglass_reject(*, actor: User, grant: BreakGlassGrant) -> BreakGlassGrant:
    _check_second_admin(actor, grant)
    grant = _pending(grant)
    grant.status = BreakGlassGrant.Status.REJECTED
    grant.approved_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "approved_by", "decided_at"])
    audit.record(
        action="breakglass.reject",
        actor=actor,
        actor_role="org_admin",
        target=grant,
        purpose="Refuse emergency access to protected content",
        organization=grant.organization_id,
    )
    return grant


@transaction.atomic
def breakglass_revoke(*, actor: User, grant: BreakGlassGrant) -> BreakGlassGrant:
    """Any admin of the organization (the requester included) closes a grant before it
    expires. Revoking a closed grant is harmless."""
    if not admin_organizations(actor).filter(organization_id=grant.organization_id).exists():
        raise NotFound()
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.status not in (BreakGlassGrant.Status.APPROVED, BreakGlassGrant.Status.PENDING):
        return grant
    grant.status = BreakGlassGrant.Status.REVOKED
    grant.revoked_by = actor
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["status", "revoked_by", "revoked_at"])
    audit.record(
        action="breakglass.revoke",
        actor=actor,
        actor_role="org_admin",
        target=grant,
        purpose="End emergency access to protected content",
        organization=grant.organization_id,
    )
    return grant


def people_in_scope(grant: BreakGlassGrant) -> list[Any]:
    """Whose content the grant opens: the person, or both people of the relationship."""
    relationship = grant.relationship
    if relationship is None:
        return [grant.subject]
    return [relationship.mentee, relationship.mentor]


def _tell(person, grant: BreakGlassGrant) -> None:
    """A content-free notice: that an admin may read their data for a limited time, and where
    to see each read (their access log). No name of the admin, no justification."""
    context = {"person": person, "grant": grant}
    send_mail(
        render_to_string("gates/email/breakglass_subject.txt", context).strip(),
        render_to_string("gates/email/breakglass_message.txt", context),
        None,
        [person.email],
    )
