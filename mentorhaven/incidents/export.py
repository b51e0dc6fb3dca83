"""What a data export holds from the incident register (privacy/export/registry.py): the
security notices sent to the person; why the rest is left out."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.incidents.domain import NOTICES
from mentorhaven.incidents.models import IncidentNotice
from mentorhaven.privacy.export.registry import Section, exclude, register

exclude(
    "incidents.Incident",
    "an incident record is the security officers' investigation of a breach; a person whose "
    "data it touched is told through a notification, which is in the notifications section",
)
exclude(
    "incidents.IncidentEntry",
    "a line of a security incident's log, written by an officer during an investigation; the "
    "incident itself is excluded for the same reason",
)
exclude(
    "incidents.Alert",
    "a monitoring alert is a security record kept from the account it flags while it is looked "
    "into; an incident that follows is told to the people it affects",
)


def notice_rows(context):
    for notice in IncidentNotice.objects.filter(user=context.user).order_by("notified_at"):
        text = NOTICES.get(notice.template)
        yield {
            "notice": str(text.title) if text else notice.template,
            "told": notice.notified_at,
            "emailed": notice.emailed_at,
            "read": notice.read_at,
        }


register(
    Section(
        key="security_notices",
        title=_("Security notices sent to you"),
        models=("incidents.IncidentNotice",),
        rows=notice_rows,
        source=_("Sent by your organization's security officers"),
        order=75,
    )
)
