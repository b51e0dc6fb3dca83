"""Reads of consent, restriction and request data. ``has_consent`` and ``consenting`` answer
from the newest record of each person and purpose, as of now: a withdrawal is seen by the very
next read, wherever it happens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from mentorhaven.consent.domain import TEXTS, Purpose, is_overdue
from mentorhaven.consent.models import ConsentRecord, DataRequest, Restriction
from mentorhaven.kernel import audit

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _newest(purpose: str) -> Subquery:
    return Subquery(
        ConsentRecord.objects.filter(user_id=OuterRef("user_id"), purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values("id")[:1]
    )


def has_consent(user: User, purpose: str) -> bool:
    """Whether ``user`` has given, and not since withdrawn, consent for ``purpose``."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    newest = (
        ConsentRecord.objects.filter(user_id=user.pk, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values_list("given", flat=True)
        .first()
    )
    return bool(newest)


def consenting(purpose: str, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` whose current choice for ``purpose`` is consent (one query)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        ConsentRecord.objects.filter(user_id__in=ids, purpose=purpose, given=True)
        .filter(id=_newest(purpose))
        .values_list("user_id", flat=True)
    )


def consenting_query(purpose: str) -> QuerySet:
    """A query of user ids consenting to ``purpose`` now, to use inside another query."""
    return (
        ConsentRecord.objects.filter(purpose=purpose, given=True)
        .filter(id=_newest(purpose))
        .values("user_id")
    )


@dataclass(frozen=True)
class PurposeState:
    purpose: str
    label: str
    text: str
    version: str
    given: bool
    since: datetime | None
    method_label: str
    outdated: bool  # given to an earlier version of the text


def consent_state(*, viewer: User) -> list[PurposeState]:
    """The viewer's current choice for every purpose (their own data: no access event)."""
    newest: dict[str, ConsentRecord] = {}
    for found in ConsentRecord.objects.filter(user=viewer).order_by("-recorded_at", "-id"):
        newest.setdefault(found.purpose, found)
    states = []
    for purpose in Purpose:
        text = TEXTS[purpose]
        record = newest.get(purpose)
        states.append(
            PurposeState(
                purpose=purpose.value,
                label=str(purpose.label),
                text=text.text,
                version=text.version,
                given=bool(record and record.given),
                since=record.recorded_at if record else None,
                method_label=record.get_method_display() if record else "",
                outdated=bool(record and record.given and record.text_sha256 != text.sha256),
            )
        )
    return states


def consent_history(*, viewer: User) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(user=viewer).order_by("-recorded_at", "-id")


def active_restriction(*, viewer: User) -> Restriction | None:
    return Restriction.objects.filter(user=viewer, lifted_at__isnull=True).first()


def my_requests(*, viewer: User) -> QuerySet[DataRequest]:
    return (
        DataRequest.objects.filter(requester=viewer)
        .select_related("organization")
        .order_by("-received_at")
    )


@dataclass(frozen=True)
class QueueRow:
    request: DataRequest
    overdue: bool


def request_queue(*, viewer: User, organizations: QuerySet, include_closed: bool = False):
    """The requests of the organizations the viewer is a data-protection officer of, soonest
    deadline first; overdue ones are marked. The caller checked the role (``access``)."""
    requests = DataRequest.objects.filter(organization__in=organizations).select_related(
        "requester", "organization"
    )
    if not include_closed:
        requests = requests.exclude(status__in=DataRequest.CLOSED)
    now = timezone.now()
    return [
        QueueRow(r, is_overdue(due_at=r.due_at, closed=r.is_closed, now=now))
        for r in requests.order_by("due_at", "id")
    ]


def request_details(*, viewer: User, request: DataRequest) -> str:
    """What the requester wrote. An officer's read is an audited access to their data (the
    caller passed ``access_data_request``)."""
    if viewer.pk != request.requester_id:
        audit.record_access(
            viewer=viewer,
            category="personal",
            purpose="Handling a data-protection request",
            subject=request.requester,
            target=request,
            action="data_request.read",
            organization=request.organization_id,
        )
    return "" if request.details is None else str(request.details)
