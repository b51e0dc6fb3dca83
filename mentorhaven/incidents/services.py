"""Every write of the incident register: open an incident, move it through its stages, add
notes, evidence and decisions, record that the regulator was told.

Each service checks that the actor is a security officer of the incident's organization
(``access``), writes the free text encrypted under the actor's key, and records one audit event
in the same transaction. The audit event holds the stage, the severity or the kind of entry,
never the text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.incidents import domain
from mentorhaven.incidents.access import (
    access_alert,
    access_incident,
    access_incident_organization,
)
from mentorhaven.incidents.models import Alert, Incident, IncidentEntry
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, ValidationFailed

TEXT_MAX = 10_000
ENTRY_KINDS = (IncidentEntry.Kind.NOTE, IncidentEntry.Kind.EVIDENCE, IncidentEntry.Kind.DECISION)
ROLE = "security_officer"


def _clean(text: Any, *, required: bool, limit: int = TEXT_MAX) -> str:
    text = str(text or "").strip()
    if required and not text:
        raise ValidationFailed(_("Describe what happened."))
    if len(text) > limit:
        raise ValidationFailed(_("Keep it under %(limit)d characters.") % {"limit": limit})
    return text


def _member_account(organization, email: str) -> User | None:
    email = (email or "").strip()
    if not email:
        return None
    account = User.objects.filter(
        email__iexact=email, org_memberships__organization=organization
    ).first()
    if account is None:
        raise ValidationFailed(_("No member of this organization has that e-mail address."))
    return account


def _still_open(incident: Incident) -> None:
    if incident.stage == Incident.Stage.CLOSED:
        raise Conflict(_("This incident is closed."))


@transaction.atomic
def incident_open(
    *,
    actor: User,
    organization_id: Any,
    severity: str,
    description: str,
    affected_systems: str = "",
    detected_at: datetime | None = None,
    account_email: str = "",
) -> Incident:
    """Open an incident in the detect stage. The regulator's clock starts now (``aware_at``),
    whenever the breach itself was detected."""
    organization = access_incident_organization(actor, organization_id)
    if severity not in Incident.Severity.values:
        raise ValidationFailed(_("Choose a severity."))
    now = timezone.now()
    detected_at = detected_at or now
    if detected_at > now:
        raise ValidationFailed(_("The time of detection cannot be in the future."))
    incident = Incident(
        organization=organization,
        opened_by=actor,
        account=_member_account(organization, account_email),
        severity=severity,
        description=_clean(description, required=True),
        affected_systems=_clean(affected_systems, required=False, limit=2000),
        detected_at=detected_at,
        aware_at=now,
    )
    incident.save()
    audit.record(
        action="incident.open",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        subject=incident.account,
        purpose="Security incident opened",
        organization=organization,
        extra={"severity": severity, "account_named": incident.account is not None},
    )
    return incident


@transaction.atomic
def incident_entry_add(*, actor: User, incident_id: Any, kind: str, body: str) -> IncidentEntry:
    """Add a note, a piece of evidence or a decision to an open incident's log."""
    incident = access_incident(actor, incident_id, write=True)
    _still_open(incident)
    if kind not in ENTRY_KINDS:
        raise ValidationFailed(_("Choose note, evidence or decision."))
    entry = IncidentEntry.objects.create(
        incident=incident,
        kind=kind,
        stage=incident.stage,
        author=actor,
        body=_clean(body, required=True),
    )
    audit.record(
        action="incident.entry_add",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        purpose="Security incident documented",
        organization=incident.organization,
        extra={"kind": kind, "stage": incident.stage},
    )
    return entry


def action_entry(*, actor: User, incident: Incident, body: str) -> IncidentEntry:
    """An automatic line of the log for an action taken from the incident (containment,
    notification): the caller audits the action itself."""
    return IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.ACTION,
        stage=incident.stage,
        author=actor,
        body=body,
    )


@transaction.atomic
def incident_advance(*, actor: User, incident_id: Any, stage: str, note: str = "") -> Incident:
    """Move an incident to its next stage (detect → contain → assess → notify → closed), with
    an optional note saying why; the move is a line of the log and an audit event."""
    incident = access_incident(actor, incident_id, write=True)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    try:
        domain.check_move(incident.stage, stage)
    except domain.StageOrderError:
        raise Conflict(_("An incident moves forward one stage at a time.")) from None
    now = timezone.now()
    incident.stage = stage
    if stage == Incident.Stage.CLOSED:
        incident.closed_at = now
    incident.save(update_fields=["stage", "closed_at"])
    IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntry.Kind.STAGE,
        stage=stage,
        author=actor,
        body=_clean(note, required=False),
    )
    audit.record(
        action="incident.stage",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        purpose="Security incident moved to its next stage",
        organization=incident.organization,
        extra={"stage": stage},
    )
    return incident


@transaction.atomic
def incident_regulator_notified(*, actor: User, incident_id: Any) -> Incident:
    """Record that the supervisory authority was told: the regulator's clock stops."""
    incident = access_incident(actor, incident_id, write=True)
    _still_open(incident)
    if incident.regulator_notified_at is not None:
        raise Conflict(_("The regulator's notification is already recorded."))
    incident.regulator_notified_at = timezone.now()
    incident.save(update_fields=["regulator_notified_at"])
    clock = domain.regulator_clock(incident.aware_at, incident.regulator_notified_at, None)
    audit.record(
        action="incident.regulator_notified",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        purpose="Regulator notified of a security incident",
        organization=incident.organization,
        extra={"within_deadline": not clock.overdue},
    )
    return incident


# --- alerts ---------------------------------------------------------------------------------

ALERT_SEVERITY: dict[str, str] = {
    Alert.Rule.MASS_READ: Incident.Severity.HIGH,
    Alert.Rule.ACCESS_DENIED: Incident.Severity.MEDIUM,
    Alert.Rule.SIGN_IN_FAILURES: Incident.Severity.MEDIUM,
    Alert.Rule.SIGN_IN_LOCKOUT: Incident.Severity.LOW,
    Alert.Rule.SECOND_FACTOR_RESET: Incident.Severity.MEDIUM,
    Alert.Rule.BULK_EXPORT: Incident.Severity.HIGH,
    Alert.Rule.TOKEN_NEW_ADDRESS: Incident.Severity.MEDIUM,
}


def _open_alert(actor: User, alert_id: Any) -> Alert:
    alert = access_alert(actor, alert_id, write=True)
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("organization", "account")
        .get(pk=alert.pk)
    )
    if not alert.is_open:
        raise Conflict(_("This alert was already handled."))
    return alert


@transaction.atomic
def alert_dismiss(*, actor: User, alert_id: Any) -> Alert:
    """A false alarm: the alert leaves the list of open alerts (it stays on record)."""
    alert = _open_alert(actor, alert_id)
    alert.dismissed_at, alert.dismissed_by = timezone.now(), actor
    alert.save(update_fields=["dismissed_at", "dismissed_by"])
    audit.record(
        action="alert.dismiss",
        actor=actor,
        actor_role=ROLE,
        target=alert,
        purpose="Security alert dismissed",
        organization=alert.organization,
        extra={"rule": alert.rule},
    )
    return alert


@transaction.atomic
def alert_open_incident(*, actor: User, alert_id: Any) -> Incident:
    """Turn an alert into an incident in one step: the account, the rule and the window become
    the incident's, and the regulator's clock starts."""
    alert = _open_alert(actor, alert_id)
    account = alert.account
    incident = incident_open(
        actor=actor,
        organization_id=alert.organization.public_id,
        severity=ALERT_SEVERITY.get(alert.rule, str(Incident.Severity.MEDIUM)),
        description=_("Raised by monitoring: %(rule)s (%(count)d in the window).")
        % {"rule": alert.get_rule_display(), "count": alert.count},
        detected_at=alert.raised_at,
        account_email=account.email if account else "",
    )
    alert.incident = incident
    alert.save(update_fields=["incident"])
    return incident
