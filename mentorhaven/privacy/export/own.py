"""What a data export holds from the privacy app itself: the person's access log (every audit
event about them, as the page "Who accessed my data" explains it) and their earlier exports."""

from __future__ import annotations

from itertools import islice

from django.utils.translation import gettext_lazy as _

from mentorhaven.privacy.access_log import access_groups_for, describe
from mentorhaven.privacy.export.registry import Section, exclude, register

BATCH = 500


def access_log_rows(context):
    """The log as the page shows it: grouped by who, what, why and day, with how often."""
    groups = access_groups_for(viewer=context.user).iterator(chunk_size=BATCH)
    while batch := list(islice(groups, BATCH)):
        for entry in describe(viewer=context.user, groups=batch):
            yield {
                "day": entry.day,
                "first": entry.first_at,
                "last": entry.at,
                "times": entry.count,
                "who": entry.who.name,
                "their_role": entry.who.role,
                "what": entry.action_label,
                "kind_of_data": entry.category_label,
                "why": entry.purpose,
            }


def export_rows(context):
    from mentorhaven.privacy.models import ExportJob

    for job in ExportJob.objects.filter(user=context.user).order_by("created_at"):
        yield {
            "requested": job.created_at,
            "how": job.origin,
            "status": job.status,
            "ready": job.finished_at,
            "expires": job.expires_at,
            "downloaded": job.downloaded_at,
        }


register(
    Section(
        key="access_log",
        title=_("Who accessed your data"),
        models=(),
        rows=access_log_rows,
        source=_("Recorded by MentorHaven each time someone, you included, acted on your data"),
        order=90,
    )
)


def erasure_rows(context):
    from mentorhaven.privacy.erasure.models import ErasureRequest

    for request in ErasureRequest.objects.filter(user=context.user).order_by("requested_at"):
        yield {
            "requested": request.requested_at,
            "how": request.source,
            "status": request.status,
            "due": request.due_at,
            "cancelled": request.cancelled_at,
        }


register(
    Section(
        key="erasure",
        title=_("Your erasure requests"),
        models=("privacy.ErasureRequest",),
        rows=erasure_rows,
        source=_("Requested by you, or by an operator at your request"),
        order=92,
    )
)
exclude(
    "privacy.SafeguardingCase",
    "the evidence of an open safety report, kept for the program's safeguarding staff under a "
    "case key; it is about a report, and the report's parties each see their own side of it",
)
register(
    Section(
        key="exports",
        title=_("Your data exports"),
        models=("privacy.ExportJob",),
        rows=export_rows,
        source=_("Requested by you, or made by an operator at your request"),
        order=91,
    )
)
