"""Data requests and the data-protection officers' queue: received date, the statutory
one-month deadline, status; overdue requests stand out; only officers of the request's
organization see it, and to everyone else it looks missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format

from mentorhaven.consent.access import access_data_request
from mentorhaven.consent.domain import add_one_month, is_overdue
from mentorhaven.consent.selectors import request_queue
from mentorhaven.consent.services import (
    data_request_create,
    data_request_status_set,
    dpo_appoint,
    restriction_start,
)
from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent

from .conftest import events

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2027, 1, 31, 10, 0, tzinfo=UTC), datetime(2027, 2, 28, 10, 0, tzinfo=UTC)),
        (datetime(2028, 1, 31, 10, 0, tzinfo=UTC), datetime(2028, 2, 29, 10, 0, tzinfo=UTC)),
        (datetime(2027, 3, 15, 8, 0, tzinfo=UTC), datetime(2027, 4, 15, 8, 0, tzinfo=UTC)),
        (datetime(2027, 12, 31, 8, 0, tzinfo=UTC), datetime(2028, 1, 31, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert add_one_month(received) == due


def test_only_open_requests_can_be_overdue():
    due = datetime(2027, 2, 28, tzinfo=UTC)
    after = datetime(2027, 3, 1, tzinfo=UTC)
    assert is_overdue(due_at=due, closed=False, now=after)
    assert not is_overdue(due_at=due, closed=True, now=after)
    assert not is_overdue(due_at=due, closed=False, now=due)


def _correction(user, text="My job title is wrong: it is Analyst"):
    with time_machine.travel(RECEIVED, tick=False):
        return data_request_create(actor=user, kind="correction", details=text)


def test_a_correction_request_is_received_encrypted_and_audited(personas):
    request = _correction(personas.cara)
    assert request.received_at == RECEIVED and request.due_at == add_one_month(RECEIVED)
    assert request.organization == personas.org and request.status == "open"
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM consent_datarequest WHERE id = %s", [request.pk])
        (raw,) = cursor.fetchone()
    assert b"Analyst" not in bytes(raw)
    (event,) = events("data_request.create")
    assert event.extra == {"kind": "correction"}


def test_a_correction_needs_details_and_a_known_kind(personas):
    with pytest.raises(ValidationFailed):
        data_request_create(actor=personas.cara, kind="correction", details="  ")
    with pytest.raises(ValidationFailed):
        data_request_create(actor=personas.cara, kind="bribe", details="x")
    with pytest.raises(NotFound):  # not the outsider's organization
        data_request_create(actor=personas.outsider, kind="other", organization=personas.org)


def test_the_queue_orders_by_deadline_and_marks_the_overdue(personas, dpo):
    late = _correction(personas.cara)
    with time_machine.travel(datetime(2027, 2, 20, tzinfo=UTC), tick=False):
        fresh = data_request_create(actor=personas.dev, kind="access")
    with time_machine.travel(datetime(2027, 3, 2, tzinfo=UTC), tick=False):
        rows = request_queue(viewer=dpo, organizations=personas.org.__class__.objects.all())
    assert [r.request for r in rows] == [late, fresh]
    assert [r.overdue for r in rows] == [True, False]


def test_the_queue_page_shows_deadlines_and_overdue_requests(personas, dpo, login, client):
    received = timezone.now() - timedelta(days=40)
    with time_machine.travel(received, tick=False):
        late = data_request_create(actor=personas.cara, kind="correction", details="Analyst")
    data_request_create(actor=personas.dev, kind="access")
    login(dpo)
    html = client.get(reverse("data_request_queue")).content.decode()
    assert html.count('data-overdue="yes"') == 1 and html.count('data-overdue="no"') == 1
    assert "Overdue" in html
    assert format(late.due_at, "j M Y") in html and format(received, "j M Y") in html
    assert "Analyst" not in html  # the details are read one request at a time, audited


def test_closing_a_request_records_who_and_when_and_is_audited(personas, dpo):
    request = _correction(personas.cara)
    data_request_status_set(actor=dpo, request=request, status="done")
    request.refresh_from_db()
    assert request.is_closed and request.closed_at and request.handled_by == dpo
    assert events("data_request.status")[-1].extra == {"status": "done", "kind": "correction"}


def test_closing_a_restriction_request_lifts_the_restriction(personas, dpo):
    restriction = restriction_start(actor=personas.cara, details="dispute")
    data_request_status_set(actor=dpo, request=restriction.request, status="done")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and restriction.lifted_by == dpo


# --- who may see what ------------------------------------------------------------------------


def test_the_requester_reads_but_cannot_handle_their_request(personas, dpo):
    request = _correction(personas.cara)
    assert access_data_request(personas.cara, request.public_id) == request
    with pytest.raises(PermissionDenied):
        access_data_request(personas.cara, request.public_id, write=True)
    with pytest.raises(PermissionDenied):
        data_request_status_set(actor=personas.cara, request=request, status="done")


@pytest.mark.parametrize("who", ["dev", "org_admin", "coordinator", "ana", "outsider"])
def test_anyone_else_gets_not_found_as_for_a_missing_request(personas, dpo, who):
    request = _correction(personas.cara)
    with pytest.raises(NotFound):
        access_data_request(getattr(personas, who), request.public_id)
    with pytest.raises(NotFound):
        access_data_request(getattr(personas, who), "00000000-0000-0000-0000-000000000000")


def test_an_officer_of_another_organization_sees_nothing(personas, dpo):
    request = _correction(personas.cara)
    dpo_appoint(actor=None, organization=personas.other_org, user=personas.outsider)
    with pytest.raises(NotFound):
        access_data_request(personas.outsider, request.public_id)
    rows = request_queue(
        viewer=personas.outsider,
        organizations=personas.other_org.__class__.objects.filter(pk=personas.other_org.pk),
    )
    assert rows == []


def test_a_non_officer_gets_404_on_the_queue_page_like_a_missing_page(personas, login, client):
    login(personas.org_admin)
    queue = client.get(reverse("data_request_queue"))
    missing = client.get("/privacy/requests/no-such-page")
    assert queue.status_code == missing.status_code == 404


def test_only_an_org_admin_appoints_an_officer(personas):
    with pytest.raises(PermissionDenied):
        dpo_appoint(actor=personas.coordinator, organization=personas.org, user=personas.ana)
    with pytest.raises(ValidationFailed):
        dpo_appoint(actor=personas.org_admin, organization=personas.org, user=personas.outsider)


def test_an_officer_reading_a_request_is_recorded_for_the_requester(personas, dpo, login, client):
    request = _correction(personas.cara)
    login(dpo)
    page = client.get(reverse("data_request_detail", kwargs={"request_id": request.public_id}))
    assert page.status_code == 200 and "Analyst" in page.content.decode()
    read = AuditEvent.objects.filter(action="data_request.read").get()
    from mentorhaven.kernel import audit

    assert read.subject == audit.pseudonym(personas.cara)
    assert read.actor == audit.pseudonym(dpo)


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def bearer(db):
    from mentorhaven.accounts.tokens import api_token_create

    def _headers(user):
        _token, secret = api_token_create(actor=user, user=user, name="t", scope="write", days=None)
        return {"Authorization": f"Bearer {secret}"}

    return _headers


def test_api_me_consents_give_and_withdraw(personas, client, bearer):
    headers = bearer(personas.cara)
    listed = client.get("/api/v1/me/consents", headers=headers).json()
    assert {c["purpose"] for c in listed} == {
        "matching_sensitive",
        "engagement_analytics",
        "ai_features",
    }
    given = client.post(
        "/api/v1/me/consents",
        {"purpose": "ai_features"},
        content_type="application/json",
        headers=headers,
    )
    assert given.status_code == 200
    assert {c["purpose"]: c["given"] for c in given.json()}["ai_features"] is True
    gone = client.delete("/api/v1/me/consents/ai_features", headers=headers)
    assert {c["purpose"]: c["given"] for c in gone.json()}["ai_features"] is False
    bad = client.post(
        "/api/v1/me/consents", {"purpose": "x"}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 422


def test_api_requests_and_the_officers_queue(personas, dpo, client, bearer):
    made = client.post(
        "/api/v1/me/requests",
        {"kind": "correction", "details": "Wrong title"},
        content_type="application/json",
        headers=bearer(personas.cara),
    )
    assert made.status_code == 201
    request_id = made.json()["id"]
    mine = client.get("/api/v1/me/requests", headers=bearer(personas.cara)).json()
    assert [r["id"] for r in mine] == [request_id]
    assert "details" not in mine[0]
    queue = client.get("/api/v1/data-requests", headers=bearer(dpo)).json()
    assert [r["id"] for r in queue["items"]] == [request_id]
    assert queue["items"][0]["overdue"] is False
    for outsider in (personas.cara, personas.org_admin, personas.outsider):
        assert client.get("/api/v1/data-requests", headers=bearer(outsider)).status_code == 404
    url = f"/api/v1/data-requests/{request_id}"
    patch = {"status": "in_progress"}
    assert (
        client.patch(
            url, patch, content_type="application/json", headers=bearer(personas.cara)
        ).status_code
        == 403
    )
    assert (
        client.patch(
            url, patch, content_type="application/json", headers=bearer(personas.dev)
        ).status_code
        == 404
    )
    done = client.patch(url, patch, content_type="application/json", headers=bearer(dpo))
    assert done.status_code == 200 and done.json()["status"] == "in_progress"
