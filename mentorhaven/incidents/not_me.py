""" "This wasn't me": a person who sees activity on their account they do not recognise locks it
themself, and an incident opens for the security officers of each organization they belong to.

``account_not_me`` contains the account at once (the same steps as an officer's containment:
locked, every session ended — the one pressing the button too —, tokens, share links and the
calendar feed revoked), opens an incident naming the account in each of the person's
organizations (its fixed description is encrypted under the person's own key, as they opened
it), tells those organizations' security officers by e-mail (naming nobody) and tells the
person that their account is locked. One audit event, about the person.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.incidents.containment import contain_account
from mentorhaven.incidents.models import Incident, IncidentEntry
from mentorhaven.kernel import audit, directory
from mentorhaven.mail import send_after_commit

DESCRIPTION = 'Reported by the account holder: activity they do not recognise ("this wasn\'t me").'


@transaction.atomic
def account_not_me(*, actor: User) -> list[Incident]:
    """Lock the actor's own account and open an incident in each of their organizations."""
    account = User.objects.select_for_update().get(pk=actor.pk)
    now = timezone.now()
    incidents = []
    for organization_id in directory.organizations_of(account.pk):
        incident = Incident(
            organization_id=organization_id,
            opened_by=account,
            account=account,
            severity=Incident.Severity.HIGH,
            description=DESCRIPTION,
            affected_systems="",
            detected_at=now,
            aware_at=now,
        )
        incident.save()
        incidents.append(incident)
    done = contain_account(actor=account, account=account)
    for incident in incidents:
        IncidentEntry.objects.create(
            incident=incident,
            kind=IncidentEntry.Kind.ACTION,
            stage=incident.stage,
            author=account,
            body="Contained by the account holder: locked, sessions ended, access revoked.",
        )
        audit.record(
            action="incident.not_me",
            actor=account,
            target=incident,
            subject=account,
            purpose="Account locked by its holder",
            organization=incident.organization_id,
            extra=done.as_extra(),
        )
        _tell_officers(incident.organization_id)
    if not incidents:
        audit.record(
            action="incident.not_me",
            actor=account,
            target=account,
            subject=account,
            purpose="Account locked by its holder",
            extra=done.as_extra(),
        )
    _tell_person(account.email)
    return incidents


def _tell_officers(organization_id: int) -> None:
    addresses = directory.security_officer_addresses(organization_id)
    if not addresses:
        return
    subject = _("MentorHaven: someone reported activity they do not recognise")
    body = _(
        "A person reported activity on their account that they do not recognise. The account is "
        "locked and an incident is open. Sign in to handle it: %(link)s"
    ) % {"link": settings.SITE_URL + reverse("incidents:list")}
    send_after_commit(lambda: send_mail(subject, body, None, addresses), "not-me report")


def _tell_person(address: str) -> None:
    subject = _("MentorHaven: your account is locked")
    body = _(
        "You reported activity on your account that you do not recognise, so we locked it and "
        "signed it out everywhere. Your organization's security officers will contact you to "
        "unlock it. If this was not you either, reply to your organization's administrator."
    )
    send_after_commit(lambda: send_mail(subject, body, None, [address]), "account locked")
