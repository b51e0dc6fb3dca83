"""Safety cases: what a program's admins do with a report (see docs/privacy.md, "Safety cases").

A case goes open → triaged → actioned → closed. Once triaged, an admin of the program may act
on the reported person, each action one service, one audit event and one line of the case's log:

* warn — a fixed in-app notice and a content-free e-mail; it never says who reported, nor why;
* suspend — the account is locked and signed out everywhere through the session-ending
  machinery of containment (pages, API tokens, open sockets); an org admin lifts it;
* end the relationship of the reported conversation, with the reason "safety";
* escalate — the organization's security officers and org admins are told, and the officers may
  then read the case.

Closing tells the reporter an outcome (a fixed sentence); the reported person is told nothing of
the report. Notes are encrypted under their author's key and bound to the case.

Audit events of actions aimed at the reported person (warn, suspend, lift) are about them, so
their access log shows what was done to their account — never the report, the reason or the
reporter. Triage, notes, escalation and closing are about the reporter, like the report itself.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.incidents.containment import end_sessions, lock_account, revoke_tokens
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mail import send_after_commit
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_end
from mentorhaven.messaging.models import Notification, Report, ReportEntry
from mentorhaven.messaging.notices import (
    KINDS,
    REPORT_OUTCOMES,
    SAFETY_ESCALATED,
    notify,
)
from mentorhaven.messaging.services._common import MAX_NOTE, _clean_body
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import OrgMembership

ACTING = (Report.Status.TRIAGED, Report.Status.ACTIONED)


def _locked(actor: User, report: Report) -> Report:
    """The case, locked for this change, if ``actor`` runs its program; else PermissionDenied."""
    if not administered_programs(actor).filter(pk=report.program_id).exists():
        raise PermissionDenied()
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("program", "reported_user", "conversation")
        .get(pk=report.pk)
    )


def _log(report: Report, actor: User, kind: str, body: str | None = None) -> ReportEntry:
    return ReportEntry.objects.create(report=report, author=actor, kind=kind, body=body)


def _record(action: str, actor: User, report: Report, *, about, purpose: str, **extra) -> None:
    # An action on the reported person's account names their account, not the case: their
    # access log and export must not lead to the report.
    on_person = not isinstance(about, int)
    audit.record(
        action=action,
        actor=actor,
        actor_role="program_admin",
        target=("accounts.user", about.public_id) if on_person else report,
        subject=about,
        purpose=purpose,
        category="program",
        organization=report.program.organization_id,
        extra=extra or None,
    )


def _acting(report: Report) -> None:
    if report.status == Report.Status.OPEN:
        raise Conflict(_("Triage the case before acting on it."), code="not_triaged")
    if report.status == Report.Status.CLOSED:
        raise Conflict(_("This case is closed."), code="closed")


def _case_link(report: Report) -> str:
    return reverse("messaging:report_detail", kwargs={"report_id": report.public_id})


@transaction.atomic
def report_triage(*, actor: User, report: Report) -> Report:
    """Take an open case in hand: it is now being looked at (the reporter is not told yet)."""
    report = _locked(actor, report)
    if report.status != Report.Status.OPEN:
        raise Conflict(_("This case has already been triaged."), code="already_triaged")
    report.status = Report.Status.TRIAGED
    report.triaged_at = timezone.now()
    report.save(update_fields=["status", "triaged_at"])
    _log(report, actor, ReportEntry.Kind.TRIAGE)
    _record("report.triage", actor, report, about=report.reporter_id, purpose="Triage a report")
    return report


@transaction.atomic
def report_note_add(*, actor: User, report: Report, body: str) -> ReportEntry:
    """A case note by an admin, encrypted under their key and bound to the case."""
    report = _locked(actor, report)
    if report.status == Report.Status.CLOSED:
        raise Conflict(_("This case is closed."), code="closed")
    entry = _log(report, actor, ReportEntry.Kind.NOTE, _clean_body(body, limit=MAX_NOTE))
    _record("report.note", actor, report, about=report.reporter_id, purpose="Note on a report")
    return entry


def _acted(report: Report, *fields: str) -> None:
    report.status = Report.Status.ACTIONED
    report.save(update_fields=["status", *fields])


@transaction.atomic
def report_warn(*, actor: User, report: Report) -> Report:
    """Warn the reported person: a fixed notice in the app, and a content-free e-mail whatever
    they chose for notices (a warning must not go unseen). Neither names the reporter."""
    report = _locked(actor, report)
    _acting(report)
    person = report.reported_user
    notify(
        user_ids=[person.pk],
        kind=Notification.Kind.SAFETY_WARNING,
        link=reverse("messaging:notifications"),
    )
    if person.is_active and person.email:
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{_('A reminder of the program rules')}"
        body = (
            _(KINDS[Notification.Kind.SAFETY_WARNING].text)
            + "\n\n"
            + f"{settings.SITE_URL}{reverse('messaging:notifications')}\n"
        )
        address = person.email
        send_after_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]),
            "safety warning",
        )
    _acted(report)
    _log(report, actor, ReportEntry.Kind.WARN)
    _record("safety.warn", actor, report, about=person, purpose="Warn about conduct")
    return report


@transaction.atomic
def report_suspend(*, actor: User, report: Report) -> Report:
    """Suspend the reported person's account: locked (no sign-in), every session ended — pages,
    and through them open sockets, which are rung — and every API token revoked. Their data
    stays; an org admin of the organization lifts the suspension (``report_suspension_lift``)."""
    report = _locked(actor, report)
    _acting(report)
    person = report.reported_user
    if person.pk == actor.pk:
        raise ValidationFailed(_("You cannot suspend your own account."), code="self")
    if report.is_suspending:
        raise Conflict(_("The account is already suspended."), code="already_suspended")
    person = User.objects.select_for_update().get(pk=person.pk)
    locked = lock_account(person)
    sessions = end_sessions(person)
    tokens = revoke_tokens(actor, person)
    report.suspended_at = timezone.now()
    report.suspension_lifted_at = None
    _acted(report, "suspended_at", "suspension_lifted_at")
    _log(report, actor, ReportEntry.Kind.SUSPEND)
    _record(
        "safety.suspend",
        actor,
        report,
        about=person,
        purpose="Suspend an account for safety",
        locked=locked,
        sessions=sessions,
        tokens=tokens,
    )
    return report


@transaction.atomic
def report_suspension_lift(*, actor: User, report: Report) -> Report:
    """Give a suspended account back: only an org admin of the case's organization may. The
    account may sign in again; its ended sessions and revoked tokens stay ended."""
    report = _locked(actor, report)
    is_org_admin = OrgMembership.objects.filter(
        user=actor,
        organization_id=report.program.organization_id,
        role=OrgMembership.Role.ORG_ADMIN,
    ).exists()
    if not is_org_admin:
        raise PermissionDenied(_("Only an organization admin can lift a suspension."))
    if not report.is_suspending:
        raise Conflict(_("The account is not suspended."), code="not_suspended")
    person = User.objects.select_for_update().get(pk=report.reported_user_id)
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
    report.suspension_lifted_at = timezone.now()
    report.save(update_fields=["suspension_lifted_at"])
    _log(report, actor, ReportEntry.Kind.LIFT)
    _record("safety.lift", actor, report, about=person, purpose="Lift a suspension")
    return report


def relationship_of(report: Report) -> Relationship | None:
    """The relationship of the reported conversation, while it can still be ended."""
    conversation = report.conversation
    relationship = conversation.relationship if conversation is not None else None
    if relationship is None or relationship.status not in (
        Relationship.Status.ACTIVE,
        Relationship.Status.PROPOSED,
    ):
        return None
    return relationship


@transaction.atomic
def report_relationship_end(*, actor: User, report: Report) -> Report:
    """End the relationship in which the reported message was written, with the reason
    "safety" (both people are told that it ended, as for any ending; not why)."""
    report = _locked(actor, report)
    _acting(report)
    relationship = relationship_of(report)
    if relationship is None:
        raise Conflict(
            _("There is no open relationship in this conversation to end."), code="no_relationship"
        )
    relationship_end(actor=actor, relationship=relationship, reason=Relationship.EndReason.SAFETY)
    _acted(report)
    _log(report, actor, ReportEntry.Kind.END_RELATIONSHIP)
    _record(
        "report.end_relationship",
        actor,
        report,
        about=report.reporter_id,
        purpose="End a relationship for safety",
    )
    return report


def escalation_recipients(report: Report) -> set[int]:
    organization = report.program.organization_id
    return set(
        OrgMembership.objects.filter(
            organization_id=organization,
            role__in=(OrgMembership.Role.SECURITY_OFFICER, OrgMembership.Role.ORG_ADMIN),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    ) - {report.reported_user_id}


@transaction.atomic
def report_escalate(*, actor: User, report: Report) -> Report:
    """Pass the case to the organization: its security officers and org admins are told (a
    fixed notice and e-mail with the case's link), and the officers may read the case."""
    report = _locked(actor, report)
    _acting(report)
    if report.escalated_at is not None:
        raise Conflict(_("This case has already been escalated."), code="already_escalated")
    report.escalated_at = timezone.now()
    _acted(report, "escalated_at")
    told = notify(
        user_ids=escalation_recipients(report) - {actor.pk},
        kind=Notification.Kind.REPORT,
        link=_case_link(report),
        text=SAFETY_ESCALATED,
    )
    _log(report, actor, ReportEntry.Kind.ESCALATE)
    _record(
        "report.escalate",
        actor,
        report,
        about=report.reporter_id,
        purpose="Escalate a report",
        told=len(told),
    )
    return report


@transaction.atomic
def report_close(*, actor: User, report: Report, outcome: str) -> Report:
    """Close the case and tell the reporter its outcome (a fixed sentence). The reported person
    is told nothing of it."""
    if outcome not in Report.Outcome.values:
        raise ValidationFailed(_("Choose the outcome to tell the reporter."), code="bad_outcome")
    report = _locked(actor, report)
    if report.status == Report.Status.CLOSED:
        raise Conflict(_("This case is closed."), code="closed")
    if report.status == Report.Status.OPEN:
        raise Conflict(_("Triage the case before closing it."), code="not_triaged")
    report.status = Report.Status.CLOSED
    report.outcome = outcome
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["status", "outcome", "resolved_at", "resolved_by"])
    _log(report, actor, ReportEntry.Kind.CLOSE)
    _record(
        "report.resolve",
        actor,
        report,
        about=report.reporter_id,
        purpose="Close a safety report",
        outcome=outcome,
    )
    notify(
        user_ids=[report.reporter_id],
        kind=Notification.Kind.REPORT_OUTCOME,
        link=reverse("messaging:notifications"),
        text=REPORT_OUTCOMES[outcome],
    )
    return report
