"""Every write of retention: policies, legal holds, inactivity warnings, and the sweep.

The sweep (``retention_sweep``) is what ``mentorhaven retention sweep`` and the daily scheduled
job run. Policy: delete what each kind's retention period (``domain.RULES``, changed per
organization or program within bounds) says is over, never what a legal hold covers; batch by
batch, each batch in its own transaction, so a run killed at any point leaves every record
either whole or gone, and the next run picks up where it stopped. One audit event sums up each
run (counts per kind), whether it finished or failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.access import parse_public_id
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.models import Report
from mentorhaven.programs.models import Organization, Program
from mentorhaven.retention import domain
from mentorhaven.retention.access import access_legal_hold, access_retention_organization
from mentorhaven.retention.models import InactivityNotice, LegalHold, RetentionPolicy
from mentorhaven.retention.notifications import inactivity_warning_after_commit
from mentorhaven.retention.registry import sweepers
from mentorhaven.retention.selectors import sweep_context

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

log = logging.getLogger("mentorhaven.retention")

DEFAULT_BATCH = 5000
REASON_MAX = 2000

# --- policies ------------------------------------------------------------------------------------


@transaction.atomic
def retention_policy_set(
    *, actor: User, organization_id, kind: str, days: int, program: Program | None = None
) -> RetentionPolicy:
    """Set how long ``kind`` is kept in an organization (or one of its programs), within the
    kind's bounds. Only the organization's admins."""
    organization = access_retention_organization(actor, organization_id, write=True)
    if program is not None and program.organization_id != organization.pk:
        raise NotFound()
    try:
        days = domain.check_days(kind, days)
    except domain.OutOfBounds:
        rule = domain.RULES.get(kind)
        if rule is None:
            raise ValidationFailed(_("Unknown kind of record.")) from None
        raise ValidationFailed(
            _("Choose between %(min)d and %(max)d days.")
            % {"min": rule.min_days, "max": rule.max_days}
        ) from None
    policy, _created = RetentionPolicy.objects.update_or_create(
        organization=organization,
        program=program,
        category=kind,
        defaults={"days": days, "updated_by": actor, "updated_at": timezone.now()},
    )
    audit.record(
        action="retention.policy_set",
        actor=actor,
        actor_role="org_admin",
        target=policy,
        purpose="Retention period changed",
        organization=organization,
        extra={"kind": kind, "days": days, "program_level": program is not None},
    )
    return policy


# --- legal holds ---------------------------------------------------------------------------------


def _hold_target(organization: Organization, scope: str, reference: str) -> dict:
    """The hold's target inside ``organization``, from an e-mail address (person) or a public id
    (relationship, case); the same error for "missing" and "in another organization"."""
    reference = (reference or "").strip()
    if scope == LegalHold.Scope.PERSON:
        user = (
            get_user_model()
            .objects.filter(email__iexact=reference, org_memberships__organization=organization)
            .first()
        )
        if user is None:
            raise ValidationFailed(_("Nobody with that e-mail address is in this organization."))
        return {"user": user}
    model = Relationship if scope == LegalHold.Scope.RELATIONSHIP else Report
    try:
        public_id = parse_public_id(reference)
    except NotFound:
        public_id = None
    found = (
        model.objects.filter(public_id=public_id, program__organization=organization).first()
        if public_id
        else None
    )
    if found is None:
        raise ValidationFailed(_("No such relationship or case in this organization."))
    return {"relationship" if model is Relationship else "case": found}


@transaction.atomic
def legal_hold_place(
    *, actor: User, organization_id, scope: str, reference: str, reason: str
) -> LegalHold:
    """Put a person, a relationship or a case under legal hold: retention and erasure stop
    deleting what it covers (``holds``) until it is released. Only the organization's admins;
    a reason is required (encrypted under the admin's key)."""
    organization = access_retention_organization(actor, organization_id, write=True)
    if scope not in LegalHold.Scope.values:
        raise ValidationFailed(_("Choose a person, a relationship or a case."))
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("Give the reason for the hold (at most %(max)d characters).") % {"max": REASON_MAX}
        )
    target = _hold_target(organization, scope, reference)
    hold = LegalHold.objects.create(
        organization=organization, scope=scope, reason=reason, placed_by=actor, **target
    )
    audit.record(
        action="legal_hold.place",
        actor=actor,
        actor_role="org_admin",
        target=hold,
        purpose="Legal hold placed",
        organization=organization,
        extra={"scope": scope},
    )
    return hold


@transaction.atomic
def legal_hold_release(*, actor: User, hold_id) -> LegalHold:
    """End a hold: what it covered follows its retention again (from the next sweep on)."""
    hold = access_legal_hold(actor, hold_id, write=True)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        return hold
    hold.released_at, hold.released_by = timezone.now(), actor
    hold.save(update_fields=["released_at", "released_by"])
    audit.record(
        action="legal_hold.release",
        actor=actor,
        actor_role="org_admin",
        target=hold,
        purpose="Legal hold released",
        organization=hold.organization_id,
        extra={"scope": hold.scope},
    )
    return hold


# --- inactivity ----------------------------------------------------------------------------------


@transaction.atomic
def inactivity_warn(*, user_id: int, erase_after: datetime) -> bool:
    """Warn one long-inactive person (once: False when a notice exists already)."""
    user = get_user_model().objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    notice, created = InactivityNotice.objects.get_or_create(
        user=user, defaults={"erase_after": erase_after}
    )
    if not created:
        return False
    audit.record(
        action="account.inactivity_warn",
        target=notice,
        subject=user,
        purpose="Inactive account: warned before erasure",
    )
    inactivity_warning_after_commit(email=user.email, erase_after=erase_after)
    return True


# --- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    complete: bool = False
    dry_run: bool = False


def retention_sweep(
    *, dry_run: bool = False, batch_size: int = DEFAULT_BATCH, now: datetime | None = None
) -> SweepResult:
    """Run every registered sweeper (see the module's docstring for the policy). With
    ``dry_run`` nothing is deleted or recorded: the counts say what a run would delete now."""
    ctx = sweep_context(now)
    result = SweepResult(dry_run=dry_run)
    if dry_run:
        for sweeper in sweepers():
            result.deleted[sweeper.kind] = sum(d.count for d in sweeper.due(ctx, ctx.now))
        result.complete = True
        return result
    try:
        for sweeper in sweepers():
            result.deleted.setdefault(sweeper.kind, 0)
            for removed in sweeper.sweep(ctx, batch_size):
                result.deleted[sweeper.kind] += removed
                result.batches += 1
        result.complete = True
    finally:
        _record_run(result)
    return result


def _record_run(result: SweepResult) -> None:
    with transaction.atomic():
        audit.record(
            action="retention.sweep",
            purpose="Retention: records past their period deleted",
            extra={**result.deleted, "batches": result.batches, "complete": result.complete},
        )
    log.info("retention sweep: %s", result)
