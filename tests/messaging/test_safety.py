"""Safety reports and what program admins see: only the reported message, with an audited read."""

from __future__ import annotations

import pytest
from django.test import Client

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.messaging import services
from mentorhaven.messaging.access import access_conversation, access_report
from mentorhaven.messaging.models import Notification, Report

pytestmark = pytest.mark.django_db

REPORTED = "You are useless, send me your home address"
PRIVATE = "My divorce is making it hard to focus"


@pytest.fixture
def reported(chat, personas):
    services.message_send(actor=personas.cara, conversation=chat, body=PRIVATE)
    message = services.message_send(actor=personas.ana, conversation=chat, body=REPORTED)
    services.message_send(actor=personas.ana, conversation=chat, body="Another private remark")
    return message


def _report(personas, message, note="It made me uncomfortable"):
    return services.report_create(
        actor=personas.cara, message=message, reason="harassment", note=note
    )


def test_report_reaches_program_admins_as_a_content_free_notice(reported, personas):
    report = _report(personas, reported)
    notices = Notification.objects.filter(kind=Notification.Kind.REPORT)
    assert {n.user_id for n in notices} == {personas.coordinator.pk, personas.org_admin.pk}
    assert all(REPORTED not in n.text and PRIVATE not in n.text for n in notices)
    event = AuditEvent.objects.get(action="report.create")
    # About the reporter: the person reported must never learn of it from their access log.
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.extra == {"reason": "harassment", "kind": "message"}
    assert report.status == Report.Status.OPEN


def test_admin_sees_only_the_reported_message_and_the_read_is_audited(
    reported, chat, personas, login
):
    report = _report(personas, reported)
    client = login(personas.coordinator)
    response = client.get(f"/messages/reports/{report.public_id}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert REPORTED.replace("'", "&#x27;") in page
    assert PRIVATE not in page and "Another private remark" not in page
    assert "It made me uncomfortable" in page
    read = AuditEvent.objects.get(
        action="message.admin_review",
        subject=audit.pseudonym(personas.ana),
        actor=audit.pseudonym(personas.coordinator),
    )
    assert read.target_id == audit.target_pseudonym(personas.ana, reported)
    assert "report" not in read.purpose and read.extra == {}
    assert AuditEvent.objects.filter(
        action="report.review", subject=audit.pseudonym(personas.cara)
    ).exists()
    # The rest of the conversation stays closed to the admin.
    with pytest.raises(NotFound):
        access_conversation(personas.coordinator, chat.public_id)
    assert client.get(f"/messages/c/{chat.public_id}/").status_code == 404


def test_evidence_survives_the_author_deleting_the_message(reported, personas):
    report = _report(personas, reported)
    services.message_delete(actor=personas.ana, message=reported)
    report.refresh_from_db()
    assert report.evidence == REPORTED


@pytest.mark.parametrize("who", ["cara", "ana", "ben", "auditor", "outsider"])
def test_reports_are_for_program_admins_only(reported, personas, who, login):
    report = _report(personas, reported)
    with pytest.raises(NotFound):
        access_report(getattr(personas, who), report.public_id)
    client = login(getattr(personas, who))
    assert client.get(f"/messages/reports/{report.public_id}/").status_code == 404
    assert str(report.public_id) not in client.get("/messages/reports/").content.decode()


def test_admin_lists_and_closes_reports(reported, personas, login):
    report = _report(personas, reported)
    client = login(personas.coordinator)
    listing = client.get("/messages/reports/").content.decode()
    assert str(report.public_id) in listing and REPORTED not in listing
    client.post(f"/messages/reports/{report.public_id}/", {"action": "triage"})
    client.post(
        f"/messages/reports/{report.public_id}/", {"action": "close", "outcome": "no_action"}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED and report.resolved_by == personas.coordinator
    assert AuditEvent.objects.filter(action="report.resolve").count() == 1


def test_reporting_a_person_reveals_no_message(chat, reported, personas, login):
    client = login(personas.cara)
    url = f"/messages/c/{chat.public_id}/people/{personas.ana.public_id}/report/"
    assert client.post(url, {"reason": "safety", "note": ""}).status_code == 302
    report = Report.objects.get()
    assert report.message is None and report.evidence is None
    admin = login(personas.coordinator, c=Client())
    page = admin.get(f"/messages/reports/{report.public_id}/").content.decode()
    assert REPORTED not in page and PRIVATE not in page
    assert not AuditEvent.objects.filter(action="message.admin_review").exists()


def test_one_cannot_report_oneself_or_a_stranger(chat, reported, personas):
    own = services.message_send(actor=personas.cara, conversation=chat, body="mine")
    with pytest.raises(ValidationFailed):
        services.report_create(actor=personas.cara, message=own, reason="spam")
    with pytest.raises(NotFound):
        services.report_create(
            actor=personas.cara, conversation=chat, person=personas.outsider, reason="spam"
        )
    with pytest.raises(ValidationFailed):
        services.report_create(actor=personas.cara, message=reported, reason="not-a-reason")


def test_block_and_unblock_from_the_conversation_page(chat, personas, login):
    client = login(personas.cara)
    url = f"/messages/c/{chat.public_id}/people/{personas.ana.public_id}/block/"
    client.post(url)
    response = login(personas.ana, c=Client()).post(
        f"/messages/c/{chat.public_id}/send/", {"body": "are you there?"}, follow=True
    )
    assert "not accepting messages from you" in response.content.decode()
    assert not chat.messages.exists()
    client.post(url, {"unblock": "1"})
    services.message_send(actor=personas.ana, conversation=chat, body="hello")
