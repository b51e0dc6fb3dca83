"""Safety cases: a program's admins triage a report and act on it — warn, suspend, end the
relationship, escalate — and close it with an outcome the reporter is told. They see only the
reported message; the reported person never learns who reported them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from mentorhaven.accounts.models import ApiToken
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging import services
from mentorhaven.messaging.access import access_report
from mentorhaven.messaging.models import Notification, Report, ReportEntry
from mentorhaven.messaging.notices import REPORT_OUTCOMES
from mentorhaven.privacy.access_log import access_groups_for
from mentorhaven.programs.models import Membership, OrgMembership
from tests.conftest import PASSWORD, _user

pytestmark = pytest.mark.django_db

REPORTED = "Send me your home address or else"
PRIVATE = "My divorce is making it hard to focus"
OTHER = "Another private remark about my week"
NOTE = "Called the mentee; she wants the pairing ended"
REPORTER_NOTE = "It made me uncomfortable"


@pytest.fixture
def reported(chat, personas):
    services.message_send(actor=personas.cara, conversation=chat, body=PRIVATE)
    message = services.message_send(actor=personas.ana, conversation=chat, body=REPORTED)
    services.message_send(actor=personas.ana, conversation=chat, body=OTHER)
    return message


@pytest.fixture
def case(reported, personas):
    """Cara reports Ana's message; the program's coordinator takes the case in hand."""
    report = services.report_create(
        actor=personas.cara, message=reported, reason="harassment", note=REPORTER_NOTE
    )
    return services.report_triage(actor=personas.coordinator, report=report)


def case_url(report) -> str:
    return reverse("messaging:report_detail", kwargs={"report_id": report.public_id})


def act(client, report, action, **data):
    return client.post(case_url(report), {"action": action, **data})


def actions_of(report) -> list[str]:
    return list(report.entries.values_list("kind", flat=True))


# --- what the coordinator sees -----------------------------------------------------------


def test_the_case_page_shows_only_the_reported_message_and_the_reporters_words(
    case, chat, personas, login
):
    client = login(personas.coordinator)
    page = client.get(case_url(case)).content.decode()
    assert REPORTED in page.replace("&#x27;", "'") and REPORTER_NOTE in page
    assert PRIVATE not in page and OTHER not in page
    # the rest of the conversation stays closed to the coordinator, page by page
    for name in ("conversation", "history", "poll", "search"):
        url = reverse(f"messaging:{name}", kwargs={"conversation_id": chat.public_id})
        assert client.get(url).status_code == 404, name


def test_the_coordinator_cannot_read_the_conversation_through_the_api(case, pair, personas, bearer):
    client = Client(headers=bearer(personas.coordinator))
    response = client.get(f"/api/v1/relationships/{pair.public_id}/messages")
    assert response.status_code == 404
    assert PRIVATE not in response.content.decode() and OTHER not in response.content.decode()


def test_every_view_of_the_reported_message_is_on_both_access_logs(case, personas, login):
    client = login(personas.coordinator)
    client.get(case_url(case))
    client.get(case_url(case))
    reviews = AuditEvent.objects.filter(
        action="message.admin_review", subject=audit.pseudonym(personas.ana)
    )
    assert reviews.count() == 2
    assert all(e.extra == {} and "report" not in e.purpose.lower() for e in reviews)
    # The reported person's log: an admin reviewed one of their messages — nothing more.
    theirs = {g["action"] for g in access_groups_for(viewer=personas.ana)}
    assert "message.admin_review" in theirs
    assert not {a for a in theirs if a.startswith("report.")}
    # The reporter's log: an admin reviewed the message they reported.
    assert "report.review" in {g["action"] for g in access_groups_for(viewer=personas.cara)}


def test_the_reported_persons_access_log_page_names_neither_the_reporter_nor_the_reason(
    case, personas, login
):
    login(personas.coordinator).get(case_url(case))
    services.report_warn(actor=personas.coordinator, report=case)
    page = login(personas.ana, c=Client()).get(reverse("privacy_access_log")).content.decode()
    assert "reviewed one of your messages" in page
    assert personas.cara.name not in page
    assert "harassment" not in page.lower() and "report" not in page.lower()


# --- who may handle a case --------------------------------------------------------------


def staff(personas, email: str, name: str):
    """A new staff member of Demo Org, with the second factor their role needs."""
    person = _user(email, name)
    OrgMembership.objects.create(organization=personas.org, user=person)
    personas.totp_secrets[email] = mfa_enroll_totp(user=person)
    return person


@pytest.fixture
def other_coordinator(personas):
    """A program admin of another program of the same organization."""
    from mentorhaven.programs.models import Program

    program = Program.objects.create(organization=personas.org, name="Other", slug="other-p")
    person = staff(personas, "other.coordinator@demo.test", "Odile Coordinator")
    Membership.objects.create(program=program, user=person, role=Membership.Role.PROGRAM_ADMIN)
    return person


@pytest.mark.parametrize("who", ["cara", "ana", "ben", "auditor", "outsider", "other"])
def test_only_the_programs_admins_reach_the_case(case, personas, other_coordinator, who, login):
    viewer = other_coordinator if who == "other" else getattr(personas, who)
    with pytest.raises(NotFound):
        access_report(viewer, case.public_id)
    client = login(viewer)
    assert client.get(case_url(case)).status_code == 404
    assert act(client, case, "warn").status_code == 404
    assert str(case.public_id) not in client.get(reverse("messaging:reports")).content.decode()
    assert not Notification.objects.filter(kind=Notification.Kind.SAFETY_WARNING).exists()


def test_the_list_filters_by_program_and_status(case, personas, login, reported):
    second = services.report_create(actor=personas.cara, message=reported, reason="spam")
    client = login(personas.coordinator)
    url = reverse("messaging:reports")
    both = client.get(url).content.decode()
    assert str(case.public_id) in both and str(second.public_id) in both
    open_only = client.get(url, {"status": "open"}).content.decode()
    assert str(second.public_id) in open_only and str(case.public_id) not in open_only
    in_program = client.get(url, {"program": str(personas.program.public_id)}).content.decode()
    assert str(case.public_id) in in_program
    # a program the viewer does not run, or a status that does not exist: a clear 400
    assert client.get(url, {"program": str(personas.other_program.public_id)}).status_code == 400
    assert client.get(url, {"status": "burnt"}).status_code == 400


def test_the_list_costs_the_same_for_many_cases(
    reported, personas, login, django_assert_max_num_queries
):
    client = login(personas.coordinator)
    services.report_create(actor=personas.cara, message=reported, reason="spam")
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("messaging:reports"))
    for _ in range(8):
        services.report_create(actor=personas.cara, message=reported, reason="spam")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("messaging:reports"))


# --- the workflow -----------------------------------------------------------------------


def test_a_case_goes_open_triaged_actioned_closed(reported, personas, login):
    report = services.report_create(actor=personas.cara, message=reported, reason="harassment")
    client = login(personas.coordinator)
    # nothing is done to anyone before the case is triaged
    act(client, report, "warn")
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN and not report.entries.exists()
    act(client, report, "triage")
    report.refresh_from_db()
    assert report.status == Report.Status.TRIAGED
    act(client, report, "warn")
    report.refresh_from_db()
    assert report.status == Report.Status.ACTIONED
    act(client, report, "close", outcome="action_taken")
    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED and report.resolved_by == personas.coordinator
    assert actions_of(report) == ["triage", "warn", "close"]
    with pytest.raises(Conflict):
        services.report_warn(actor=personas.coordinator, report=report)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="report.")] == [
        "report.create",
        "report.triage",
        "report.resolve",
    ]


def test_bad_input_is_a_clear_400_not_an_error(case, personas, login):
    client = login(personas.coordinator)
    assert act(client, case, "explode").status_code == 400
    assert act(client, case, "close", outcome="whatever").status_code == 400
    assert act(client, case, "note", body="").status_code == 400
    assert client.post(case_url(case)).status_code == 400
    case.refresh_from_db()
    assert case.status == Report.Status.TRIAGED
    with pytest.raises(ValidationFailed):
        services.report_close(actor=personas.coordinator, report=case, outcome="whatever")


def test_case_notes_are_encrypted_and_each_is_audited(case, personas, login):
    client = login(personas.coordinator)
    act(client, case, "note", body=NOTE)
    entry = ReportEntry.objects.get(kind="note")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_reportentry WHERE id = %s", [entry.pk])
        raw = bytes(cursor.fetchone()[0])
    assert NOTE.encode() not in raw and b"pairing" not in raw
    assert entry.body == NOTE
    event = AuditEvent.objects.get(action="report.note")
    assert event.actor == audit.pseudonym(personas.coordinator)
    assert NOTE not in str(event.extra) and NOTE not in event.purpose
    assert NOTE in client.get(case_url(case)).content.decode()


# --- each action's effect ---------------------------------------------------------------


def test_warning_tells_the_reported_person_without_naming_the_reporter(
    case, personas, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(login(personas.coordinator), case, "warn")
    [notice] = Notification.objects.filter(user=personas.ana, kind__in=("safety_warning", "report"))
    assert notice.kind == Notification.Kind.SAFETY_WARNING
    [sent] = [m for m in mail.outbox if m.to == [personas.ana.email]]
    text = sent.subject + sent.body + notice.text
    for secret in (personas.cara.name, "Cara", REPORTED, REPORTER_NOTE, "harassment", "report"):
        assert secret.lower() not in text.lower(), secret
    event = AuditEvent.objects.get(action="safety.warn")
    assert event.subject == audit.pseudonym(personas.ana)
    assert event.target_type == "accounts.user"  # not the case: nothing leads to the report
    assert actions_of(case) == ["triage", "warn"]


def test_the_reporter_learns_the_outcome_and_the_reported_person_nothing(
    case, personas, login, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        act(login(personas.coordinator), case, "close", outcome="no_action")
    [told] = Notification.objects.filter(kind=Notification.Kind.REPORT_OUTCOME)
    assert told.user == personas.cara and told.text == REPORT_OUTCOMES["no_action"]
    assert not Notification.objects.filter(user=personas.ana).exists()
    assert not [m for m in mail.outbox if personas.ana.email in m.to]
    page = login(personas.cara, c=Client()).get(reverse("messaging:notifications"))
    assert "found no breach of the rules" in page.content.decode()


def test_ending_the_relationship_uses_the_safety_reason(case, pair, personas, login):
    act(login(personas.coordinator), case, "end_relationship")
    pair.refresh_from_db()
    assert pair.status == Relationship.Status.ENDED_EARLY
    assert pair.end_reason == Relationship.EndReason.SAFETY
    assert AuditEvent.objects.filter(action="relationship.end").count() == 1
    assert AuditEvent.objects.filter(action="report.end_relationship").count() == 1
    case.refresh_from_db()
    assert case.status == Report.Status.ACTIONED
    with pytest.raises(Conflict):  # nothing left to end
        services.report_relationship_end(actor=personas.coordinator, report=case)


def test_escalation_tells_officers_and_org_admins_and_lets_officers_read(case, personas, login):
    officer = staff(personas, "officer@demo.test", "Sol Officer")
    OrgMembership.objects.create(
        organization=personas.org, user=officer, role=OrgMembership.Role.SECURITY_OFFICER
    )
    with pytest.raises(NotFound):  # not before it is escalated
        access_report(officer, case.public_id)
    Notification.objects.all().delete()
    act(login(personas.coordinator), case, "escalate")
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {officer.pk, personas.org_admin.pk}
    officer_client = login(officer, c=Client())
    assert officer_client.get(case_url(case)).status_code == 200
    assert act(officer_client, case, "warn").status_code == 403  # reads, does not act
    assert AuditEvent.objects.filter(action="report.escalate").count() == 1


def test_a_program_admin_cannot_lift_a_suspension_an_org_admin_can(case, personas, login):
    services.report_suspend(actor=personas.coordinator, report=case)
    with pytest.raises(PermissionDenied):
        services.report_suspension_lift(actor=personas.coordinator, report=case)
    assert act(login(personas.org_admin), case, "lift").status_code == 302
    personas.ana.refresh_from_db()
    case.refresh_from_db()
    assert personas.ana.is_active and not case.is_suspending
    assert AuditEvent.objects.filter(
        action="safety.lift", subject=audit.pseudonym(personas.ana)
    ).exists()


def test_suspension_ends_pages_and_api_tokens_and_sign_in(case, personas, login, bearer):
    browser = login(personas.ana, c=Client())
    token = bearer(personas.ana)
    api = Client(headers=token)
    assert browser.get(reverse("messaging:inbox")).status_code == 200
    assert api.get("/api/v1/me").status_code == 200
    act(login(personas.coordinator), case, "suspend")
    page = browser.get(reverse("messaging:inbox"))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=personas.ana, revoked_at__isnull=True).exists()
    # and cannot sign back in until an org admin lifts it
    assert not Client().login(email=personas.ana.email, password=PASSWORD)
    event = AuditEvent.objects.get(action="safety.suspend")
    assert event.subject == audit.pseudonym(personas.ana)
    assert event.extra["tokens"] == 1 and event.extra["locked"] is True
    assert actions_of(case) == ["triage", "suspend"]
