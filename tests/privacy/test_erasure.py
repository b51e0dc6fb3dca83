"""Erasure (Art. 17): after the job, a canary the person wrote into every kind of content is
nowhere — not in the database's bytes, not on disk, not in logs or mail, not on anybody else's
pages — while the evidence of an open safety report stays readable to the program's staff, and a
job killed half-way completes when run again."""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import user_profile_update
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.files.services import file_upload, share_link_create
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import NotFound
from mentorhaven.matching.models import Question
from mentorhaven.matching.services import question_create, questionnaire_submit
from mentorhaven.mentoring import services as mentoring
from mentorhaven.mentoring.models import Goal, Note, Relationship
from mentorhaven.messaging.models import Message, Report
from mentorhaven.messaging.selectors import report_for_admin
from mentorhaven.messaging.services import (
    message_send,
    report_close,
    report_create,
    report_triage,
)
from mentorhaven.privacy.erasure import registry, services
from mentorhaven.privacy.erasure.models import ErasureRequest, SafeguardingCase
from mentorhaven.privacy.erasure.safeguarding import case_evidence_for
from tests.conftest import totp_code
from tests.factories import InvitationFactory
from tests.web.pages import MENTEE, pages
from tests.world import PASSWORD, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 3600


def _erase(user: User) -> ErasureRequest:
    return services.erasure_run(request=services.erasure_now(user=user))


# --- the canary -------------------------------------------------------------------------------


def _write_canary_everywhere(world: World, canary: str) -> None:
    """The mentee writes ``canary`` into every kind of content she can write."""
    mentee, mentor, admin = (world.people[k] for k in ("mentee", "mentor", "program_admin"))
    relationship, program = world.relationship, world.program
    assert relationship is not None and world.conversation is not None
    user_profile_update(actor=mentee, user=mentee, display_name=f"Mia {canary}")
    text = question_create(actor=admin, program=program, kind="text", prompt="Anything else?")
    answers = {}
    for question in Question.objects.filter(program=program):
        if question.pk == text.pk:
            answers[question] = f"answer {canary}"
        elif question.kind == "multi":
            answers[question] = question.option_values[:1]
        else:
            answers[question] = question.option_values[0]
    questionnaire_submit(
        actor=mentee,
        program=program,
        role="mentee",
        answers=answers,
        sensitive_consent=any(q.sensitive for q in answers),
        headline=f"headline {canary}",
        goals=f"goals {canary}",
    )
    goal = mentoring.goal_create(
        actor=mentee, relationship=relationship, title=canary, description=f"about {canary}"
    )
    mentoring.milestone_add(actor=mentee, goal=goal, title=f"milestone {canary}")
    mentoring.goal_progress_add(actor=mentee, goal=goal, body=f"progress {canary}")
    slot = (timezone.now() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(slot - timedelta(days=3)):
        meeting = mentoring.meeting_propose(
            actor=mentee,
            relationship=relationship,
            slots=[slot],
            location=f"place {canary}",
            agenda=f"agenda {canary}",
        )
        meeting = mentoring.meeting_accept(actor=mentor, meeting=meeting, starts_at=slot)
    mentoring.feedback_give(actor=mentee, meeting=meeting, rating=5, comment=f"fb {canary}")
    mentoring.note_create(actor=mentee, relationship=relationship, shared=True, body=canary)
    mentoring.note_create(actor=mentee, relationship=relationship, body=f"private {canary}")
    message_send(actor=mentee, conversation=world.conversation, body=f"msg {canary}")
    stored = file_upload(
        actor=mentee,
        fileobj=io.BytesIO(f"file content {canary}\n".encode()),
        declared_name=f"{canary}.txt",
        relationship=relationship,
    )
    share_link_create(actor=mentee, file=stored, expires_in_days=7)
    report = report_create(
        actor=mentee,
        reason=Report.Reason.OTHER,
        note=f"report {canary}",
        person=mentor,
        conversation=world.conversation,
    )
    report_triage(actor=admin, report=report)
    report_close(
        actor=admin, report=report, outcome="no_action"
    )  # nothing to keep for safeguarding
    api_token_create(actor=mentee, user=mentee, name=f"token {canary}", scope="read")
    mentoring.calendar_feed_create(actor=mentee)
    InvitationFactory(
        organization=world.org, program=program, email=mentee.email, display_name=canary
    )


def _database_bytes() -> bytes:
    """The database as stored: the file and its write-ahead log on SQLite (the in-memory test
    database serialized, free pages included), every row of every table on PostgreSQL."""
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if connection.is_in_memory_db():
            connection.ensure_connection()
            return bytes(connection.connection.serialize())
        return b"".join(Path(p).read_bytes() for p in (name, f"{name}-wal") if Path(p).exists())
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (names from the schema)
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


def _files_containing(root: Path, needle: bytes) -> list[str]:
    found = []
    for path in root.rglob("*") if root.exists() else []:
        small = path.is_file() and path.stat().st_size < 64 * 1024 * 1024
        if small and needle in path.read_bytes():
            found.append(str(path))
    return found


def _sign_in(world: World, who: str) -> Client:
    client = Client()
    user = world.people[who]
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
    if who in world.totp_secrets:
        code = totp_code(world.totp_secrets[who])
        assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def test_canary_written_everywhere_is_nowhere_after_erasure(
    caplog, tmp_path, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    canary = f"CANARY{uuid.uuid4().hex}"
    needle = canary.encode()
    world = build_world(participants=6, content=1)
    _write_canary_everywhere(world, canary)
    mentee, mentor = world.people["mentee"], world.people["mentor"]
    others = {who: _sign_in(world, who) for who in world.people if who != MENTEE}
    conversation_page = reverse(
        "messaging:conversation", kwargs={"conversation_id": world.conversation.public_id}
    )
    # The checks can fail: before the erasure the canary is there to be found.
    assert needle in _database_bytes()  # the display name is plain text until anonymized
    assert canary in others["mentor"].get(conversation_page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = _erase(mentee)

    assert done.status == ErasureRequest.Status.COMPLETED
    assert needle not in _database_bytes()
    assert _files_containing(tmp_path / "media", needle) == []
    assert _files_containing(Path(settings.VAR_DIR), needle) == []
    # Her sealed blobs are gone too; what is left belongs to others (the program library's
    # video, uploaded by its admin).
    left = {str(p.relative_to(tmp_path / "media")) for p in (tmp_path / "media").rglob("vault/*")}
    assert left == {world.resource.storage_name} if world.resource else not left
    assert canary not in caplog.text
    assert all(canary not in str(m.subject) + str(m.body) for m in mail.outbox)
    for page in pages(world):
        if page.who == MENTEE:
            continue
        response = others[page.who].get(page.path)
        assert response.status_code < 500, page
        assert needle not in response.content, page
    conversation = others["mentor"].get(conversation_page).content.decode()
    assert "A former participant" in conversation
    relationship = Relationship.objects.get(pk=world.relationship.pk)
    assert relationship.status == Relationship.Status.ENDED_EARLY
    told = [m for m in mail.outbox if m.to == [mentor.email] and "has ended" in m.subject]
    assert len(told) == 1  # the mentor was told, without content
    # Messages stay as tombstones in the conversation; nothing of hers is readable.
    assert Message.objects.filter(author=mentee).exists()
    assert vault.is_shredded(mentee)
    assert audit.pseudonym(mentee) == audit.ERASED
    assert audit.verify().ok


def test_erased_account_cannot_sign_in_and_keeps_no_name(client):
    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    email = mentee.email
    _erase(mentee)
    mentee.refresh_from_db()
    assert mentee.is_erased and not mentee.is_active and not mentee.has_usable_password()
    assert mentee.display_name == "" and mentee.email != email
    assert mentee.name == "A former participant"
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 200  # the form again: no such account
    assert not Goal.objects.filter(owner=mentee).exists()
    assert not Note.objects.filter(author=mentee).exists()


# --- safeguarding -----------------------------------------------------------------------------


def test_open_report_evidence_survives_both_parties_erasure():
    world = build_world(participants=5, content=1)
    mentee, mentor, admin = (world.people[k] for k in ("mentee", "mentor", "program_admin"))
    message = message_send(actor=mentor, conversation=world.conversation, body="threatening text")
    report = report_create(
        actor=mentee, reason=Report.Reason.SAFETY, note="I feel unsafe", message=message
    )
    _erase(mentee)
    _erase(mentor)
    report.refresh_from_db()
    assert vault.is_shredded(mentee) and vault.is_shredded(mentor)
    view = report_for_admin(viewer=admin, report=report)
    assert view.note == "I feel unsafe"
    assert view.evidence == "threatening text"
    assert SafeguardingCase.objects.filter(report=report).count() == 1
    with pytest.raises(NotFound):
        case_evidence_for(viewer=world.people["waiting_mentee"], report=report)


def test_without_the_safeguarding_step_the_evidence_is_lost(monkeypatch):
    """The property above depends on the case being sealed before the keys are shredded."""
    world = build_world(participants=5, content=1)
    mentee, mentor, admin = (world.people[k] for k in ("mentee", "mentor", "program_admin"))
    message = message_send(actor=mentor, conversation=world.conversation, body="threatening text")
    report = report_create(actor=mentee, reason=Report.Reason.SAFETY, note="n", message=message)
    step = registry._STEPS["privacy.safeguarding"]
    monkeypatch.setitem(
        registry._STEPS,
        "privacy.safeguarding",
        registry.ErasureStep(step.name, step.order, lambda user: {}),
    )
    _erase(mentor)
    report.refresh_from_db()
    assert report_for_admin(viewer=admin, report=report).evidence != "threatening text"


# --- resuming ---------------------------------------------------------------------------------


class Killed(Exception):
    pass


def test_a_job_killed_half_way_leaves_no_half_step_and_completes_when_run_again(monkeypatch):
    world = build_world(participants=5, content=2)
    mentee = world.people["mentee"]
    goals = Goal.objects.filter(owner=mentee).count()
    assert goals and Note.objects.filter(author=mentee).exists()
    step = registry._STEPS["mentoring.content"]

    def dies_after_deleting(user):
        step.run(user)  # the notes, goals ... are deleted in the step's transaction
        raise Killed

    monkeypatch.setitem(
        registry._STEPS,
        "mentoring.content",
        registry.ErasureStep(step.name, step.order, dies_after_deleting),
    )
    request = services.erasure_now(user=mentee)
    with pytest.raises(Killed):
        services.erasure_run(request=request)
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.RUNNING
    assert "kernel.shred" in request.steps_done and "mentoring.content" not in request.steps_done
    assert Goal.objects.filter(owner=mentee).count() == goals  # rolled back whole, not half
    assert Relationship.objects.get(pk=world.relationship.pk).is_active

    monkeypatch.setitem(registry._STEPS, "mentoring.content", step)
    result = services.process_due_erasures()
    request.refresh_from_db()
    assert result["completed"] == 1 and request.status == ErasureRequest.Status.COMPLETED
    assert not Goal.objects.filter(owner=mentee).exists()
    assert [s.name for s in registry.steps()] == request.steps_done
    assert services.erasure_run(request=request).status == ErasureRequest.Status.COMPLETED


# --- request, grace period, reminder, cancel ----------------------------------------------------


def test_request_waits_for_the_grace_period_reminds_then_runs(
    django_capture_on_commit_callbacks,
):
    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    request = services.erasure_request(actor=mentee)
    assert request.due_at - request.requested_at == timedelta(days=14)
    assert services.erasure_request(actor=mentee).pk == request.pk  # asking twice: same one
    assert services.process_due_erasures() == {"reminded": 0, "completed": 0}
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(days=13)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.process_due_erasures() == {"reminded": 1, "completed": 0}
        assert services.process_due_erasures() == {"reminded": 0, "completed": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mentee.email]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert services.process_due_erasures()["completed"] == 1
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.COMPLETED


def test_cancelled_request_never_runs():
    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    services.erasure_cancel(actor=mentee, request=services.erasure_request(actor=mentee))
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert services.process_due_erasures()["completed"] == 0
    assert not vault.is_shredded(mentee)
    events = audit.events_about(mentee).values_list("action", flat=True)
    assert {"erasure.request", "erasure.cancel"} <= set(events)


# --- page and API -------------------------------------------------------------------------------


def test_page_request_and_cancel(client):
    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    client.force_login(mentee)
    response = client.post("/privacy/erasure", {"action": "request"})
    assert response.status_code == 302 and not ErasureRequest.objects.exists()  # not confirmed
    client.post("/privacy/erasure", {"action": "request", "confirm": "yes"})
    request = ErasureRequest.objects.get(user=mentee)
    page = client.get("/privacy/erasure").content.decode()
    assert request.due_at.strftime("%-d %B %Y") in page and "Cancel my erasure" in page
    client.post("/privacy/erasure", {"action": "cancel"})
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.CANCELLED


def test_api_get_post_delete(client):
    world = build_world(participants=5, content=1)
    client.force_login(world.people["mentee"])
    assert client.get("/api/v1/me/erasure").status_code == 404
    created = client.post("/api/v1/me/erasure")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    shown = client.get("/api/v1/me/erasure").json()
    assert shown["id"] == created.json()["id"] and shown["cancellable"] is True
    assert client.delete("/api/v1/me/erasure").status_code == 204
    assert client.delete("/api/v1/me/erasure").json()["code"] == "not_found"


def test_a_running_erasure_cannot_be_cancelled(client):
    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    request = services.erasure_request(actor=mentee)
    ErasureRequest.objects.filter(pk=request.pk).update(status=ErasureRequest.Status.RUNNING)
    client.force_login(mentee)
    response = client.delete("/api/v1/me/erasure")
    assert response.status_code == 409 and response.json()["code"] == "not_pending"


def test_operator_command_erases_now_and_is_audited():
    from django.core.management import call_command

    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    out = io.StringIO()
    call_command("dsar", "erase", mentee.email.upper(), "--now", stdout=out)
    assert "completed" in out.getvalue()
    request = ErasureRequest.objects.get(user=mentee)
    assert request.source == ErasureRequest.Source.OPERATOR
    assert audit.verify().ok
    from mentorhaven.kernel.models import AuditEvent

    assert AuditEvent.objects.filter(action="erasure.operator").count() == 1


# --- legal hold, the scheduler, inactive accounts ---------------------------------------------


def test_a_legal_hold_keeps_a_due_erasure_waiting_until_it_is_released():
    from mentorhaven.retention.services import legal_hold_place, legal_hold_release

    world = build_world(participants=5, content=1)
    mentee, admin = world.people["mentee"], world.people["org_admin"]
    request = services.erasure_request(actor=mentee)
    hold = legal_hold_place(
        actor=admin,
        organization_id=world.org.public_id,
        scope="person",
        reference=mentee.email,
        reason="A claim names her.",
    )
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        assert services.process_due_erasures() == {"reminded": 1, "completed": 0}
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert services.process_due_erasures()["completed"] == 0
        request.refresh_from_db()
        assert request.status == ErasureRequest.Status.PENDING
        assert not vault.is_shredded(mentee)
        legal_hold_release(actor=admin, hold_id=hold.public_id)
        assert services.process_due_erasures()["completed"] == 1
    assert vault.is_shredded(mentee)


def test_the_scheduler_runs_due_erasures_by_itself():
    from mentorhaven.kernel import schedule

    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    request = services.erasure_request(actor=mentee)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        assert "privacy.erasures" in schedule.run_due()  # the reminder
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert "privacy.erasures" in schedule.run_due()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.COMPLETED


def test_an_account_unused_for_its_whole_period_is_erased_by_the_retention_sweep():
    from mentorhaven.retention.services import retention_sweep

    world = build_world(participants=5, content=1)
    mentee = world.people["mentee"]
    User.objects.filter(pk=mentee.pk).update(last_login=timezone.now() - timedelta(days=560))
    with time_machine.travel(timezone.now()):
        retention_sweep()  # the warning, a month ahead
    assert not vault.is_shredded(mentee)
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        retention_sweep()
    assert vault.is_shredded(mentee)
    assert ErasureRequest.objects.get(user=mentee).status == ErasureRequest.Status.COMPLETED
