"""What a data export holds from the retention app: the warning that an inactive account will
be erased (privacy/export/registry.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mentorhaven.privacy.export.registry import Section, exclude, register
from mentorhaven.retention.models import InactivityNotice


def notice_rows(context):
    for notice in InactivityNotice.objects.filter(user=context.user):
        yield {"warned": notice.sent_at, "erase_after": notice.erase_after}


register(
    Section(
        key="inactivity",
        title=_("Warnings about your inactive account"),
        models=("retention.InactivityNotice",),
        rows=notice_rows,
        source=_("Sent by MentorHaven when you had not signed in for a long time"),
        order=70,
    )
)
exclude(
    "retention.RetentionPolicy",
    "an organization's retention periods; the person linked is only the admin who set them",
)
exclude(
    "retention.LegalHold",
    "a legal hold is kept from the person it concerns while the claim behind it is pending "
    "(a restriction of the right of access the law allows); its reason is the admin's writing",
)
