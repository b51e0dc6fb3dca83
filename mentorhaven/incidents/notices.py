"""Telling the people an incident may have affected, and keeping the record of who was told when.

``incident_notify`` sends one of the fixed notices (``domain.NOTICES``) to members of the
incident's organization: each gets an in-app notice (``/incidents/notices/``, their own list)
and an e-mail that says only that a security notice is waiting, with a link — never the notice's
text, never the incident's. Each person is told at most once per incident and notice; the same
call again tells only those not yet told. Telling someone is on their access log
(``incident.notice``), and the whole notification is one audit event with the count.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.incidents import domain
from mentorhaven.incidents.access import access_incident
from mentorhaven.incidents.models import Incident, IncidentNotice
from mentorhaven.incidents.services import ROLE, action_entry
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.mail import send_after_commit

MAX_RECIPIENTS = 5000
SEPARATORS = re.compile(r"[\s,;]+")


def parse_addresses(text: str) -> list[str]:
    return list(dict.fromkeys(a.lower() for a in SEPARATORS.split(text or "") if a))


def _email(addresses: list[str]) -> None:
    if not addresses:
        return
    link = settings.SITE_URL + reverse("incidents:notices")
    subject = _("MentorHaven: a security notice for you")
    body = _("There is a security notice for you in MentorHaven. Sign in to read it: %(link)s") % {
        "link": link
    }
    for address in addresses:  # one message each: nobody sees who else was told
        send_after_commit(partial(send_mail, subject, body, None, [address]), "security notice")


@transaction.atomic
def incident_notify(
    *, actor: User, incident_id: Any, template: str, emails: list[str]
) -> list[IncidentNotice]:
    """Notify the people at ``emails`` (members of the incident's organization) with the notice
    ``template``; returns the notices made now (those told before are skipped)."""
    incident: Incident = access_incident(actor, incident_id, write=True)
    if incident.stage == Incident.Stage.CLOSED:
        raise Conflict(_("This incident is closed."))
    if template not in domain.NOTICES:
        raise ValidationFailed(_("Choose one of the notices."))
    if not emails:
        raise ValidationFailed(_("Give at least one e-mail address."))
    if len(emails) > MAX_RECIPIENTS:
        raise ValidationFailed(_("At most %(n)d people at a time.") % {"n": MAX_RECIPIENTS})
    people = list(
        User.objects.filter(
            email__in=emails, org_memberships__organization=incident.organization
        ).distinct()
    )
    unknown = len(emails) - len(people)
    if unknown:
        raise ValidationFailed(
            _("%(n)d of these addresses are not members of this organization.") % {"n": unknown}
        )
    told = set(
        IncidentNotice.objects.filter(
            incident=incident, template=template, user__in=people
        ).values_list("user_id", flat=True)
    )
    now = timezone.now()
    fresh = IncidentNotice.objects.bulk_create(
        IncidentNotice(
            incident=incident, user=p, template=template, notified_at=now, emailed_at=now
        )
        for p in people
        if p.pk not in told
    )
    if not fresh:
        return []
    recipients = [n.user for n in fresh]
    audit.record_access(
        viewer=actor,
        action="incident.notice",
        category="platform",
        purpose="Told of a security incident",
        subjects=recipients,
        actor_role=ROLE,
        organization=incident.organization,
    )
    audit.record(
        action="incident.notify",
        actor=actor,
        actor_role=ROLE,
        target=incident,
        purpose="People affected by a security incident told",
        organization=incident.organization,
        extra={"template": template, "people": len(fresh), "already_told": len(told)},
    )
    action_entry(
        actor=actor,
        incident=incident,
        body=_("Notified %(n)d people (%(notice)s).")
        % {"n": len(fresh), "notice": domain.NOTICES[template].title},
    )
    _email([u.email for u in recipients if u.is_active])
    return fresh


def notices_for(*, viewer: User) -> list[IncidentNotice]:
    """The viewer's own notices, newest first; unread ones become read."""
    found = list(IncidentNotice.objects.filter(user=viewer).order_by("-notified_at")[:100])
    unread = [n.pk for n in found if n.read_at is None]
    if unread:
        IncidentNotice.objects.filter(pk__in=unread).update(read_at=timezone.now())
    for notice in found:
        notice.text = domain.NOTICES.get(notice.template)  # type: ignore[attr-defined]
    return found
