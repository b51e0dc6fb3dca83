"""What a data export holds from the consent app (privacy/export/registry.py): the history of
one's consent choices, one's data-protection requests and restrictions, and one's
data-protection roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mentorhaven.consent.models import (
    ConsentRecord,
    DataProtectionOfficer,
    DataRequest,
    Restriction,
)
from mentorhaven.privacy.export.registry import Section, register


def consent_rows(context):
    records = ConsentRecord.objects.filter(user=context.user).order_by("recorded_at", "pk")
    for record in records.iterator():
        yield {
            "purpose": record.purpose,
            "given": record.given,
            "when": record.recorded_at,
            "how": record.method,
            "text_version": record.text_version,
            "text_sha256": record.text_sha256,
        }


def request_rows(context):
    user = context.user
    requests = DataRequest.objects.filter(requester=user).select_related("organization")
    for request in requests.order_by("received_at", "pk"):
        yield {
            "record": "data_request",
            "organization": request.organization.name,
            "kind": request.kind,
            "details": request.details,
            "status": request.status,
            "received": request.received_at,
            "due": request.due_at,
            "closed": request.closed_at,
        }
    for restriction in Restriction.objects.filter(user=user).order_by("started_at", "pk"):
        yield {
            "record": "restriction",
            "organization": "",
            "kind": "restriction",
            "details": None,
            "status": "lifted" if restriction.lifted_at else "active",
            "received": restriction.started_at,
            "due": None,
            "closed": restriction.lifted_at,
        }
    roles = DataProtectionOfficer.objects.filter(user=user).select_related("organization")
    for role in roles.order_by("appointed_at", "pk"):
        yield {
            "record": "data_protection_role",
            "organization": role.organization.name,
            "kind": "",
            "details": None,
            "status": "held",
            "received": role.appointed_at,
            "due": None,
            "closed": None,
        }


register(
    Section(
        key="consents",
        title=_("Your consents and withdrawals"),
        models=("consent.ConsentRecord",),
        rows=consent_rows,
        source=_("Given or withdrawn by you"),
        order=32,
    )
)
register(
    Section(
        key="data_requests",
        title=_("Your data-protection requests, restrictions and roles"),
        models=("consent.DataRequest", "consent.Restriction", "consent.DataProtectionOfficer"),
        rows=request_rows,
        source=_("Made by you; roles given by your organization's admins"),
        order=34,
    )
)
