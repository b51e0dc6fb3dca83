"""Every read of someone's content is on the record: a real request by a real person leaves
one event per view (one INSERT), naming each person whose content it showed; a walk over every
signed-in page checks that each page showing someone's content recorded it; a reported person's
log never mentions the report."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.asgi import application
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.matching.services import match_run_create
from mentorhaven.messaging import services as messaging
from mentorhaven.messaging.services import conversation_for_relationship
from tests.mentoring.conftest import make_active
from tests.messaging.test_consumers import session_headers
from tests.web.pages import pages
from tests.web.test_page_queries import _setup, _signed_in  # noqa: F401 (_setup: autouse)
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(personas):
    pair = make_active(personas, personas.cara, personas.ana)
    conversation = conversation_for_relationship(actor=personas.cara, relationship=pair)
    messaging.message_send(actor=personas.ana, conversation=conversation, body="See you Thursday")
    messaging.message_send(actor=personas.cara, conversation=conversation, body="Thursday it is")
    return conversation


def reads(action: str, reader) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, actor=audit.pseudonym(reader)))


def subjects(events: list[AuditEvent]) -> set[str]:
    return {e.subject for e in events}


# --- each read path, through a real request ---------------------------------------------------


def test_opening_a_conversation_records_one_read_naming_the_other_writer(chat, personas, login):
    client = login(personas.cara)
    assert client.get(f"/messages/c/{chat.public_id}/").status_code == 200
    events = reads("message.read", personas.cara)
    assert subjects(events) == {audit.pseudonym(personas.ana)}  # not herself
    assert events[0].purpose == "Read a conversation"


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        ("history/?before=99", "Read a conversation"),
        ("poll/?after=0", "Receive new messages in a conversation"),
        ("search/?q=thursday", "Search a conversation"),
    ],
)
def test_history_poll_and_search_record_the_read(chat, personas, login, path, purpose):
    client = login(personas.cara)
    assert client.get(f"/messages/c/{chat.public_id}/{path}").status_code == 200
    [event] = reads("message.read", personas.cara)
    assert event.subject == audit.pseudonym(personas.ana) and event.purpose == purpose


def test_a_poll_that_brings_nothing_records_nothing(chat, personas, login):
    client = login(personas.cara)
    client.get(f"/messages/c/{chat.public_id}/poll/?after={chat.last_seq}")
    assert reads("message.read", personas.cara) == []


def test_the_api_records_the_read(chat, personas, client):
    _token, secret = api_token_create(
        actor=personas.ana, user=personas.ana, name="laptop", scope="read", days=None
    )
    url = f"/api/v1/relationships/{chat.relationship.public_id}/messages"
    response = client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and len(response.json()["items"]) == 2
    [event] = reads("message.read", personas.ana)
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.purpose == "Read a conversation through the API"


@pytest.mark.django_db(transaction=True)
def test_real_time_delivery_records_once_per_writer_and_connection(personas):
    pair = make_active(personas, personas.cara, personas.ana)
    chat = conversation_for_relationship(actor=personas.cara, relationship=pair)
    headers = session_headers(personas.ana)

    async def scenario():
        ana = WebsocketCommunicator(
            application, f"/ws/conversations/{chat.public_id}/", headers=headers
        )
        assert (await ana.connect())[0]
        for body in ("one", "two", "three"):
            await database_sync_to_async(messaging.message_send)(
                actor=personas.cara, conversation=chat, body=body
            )
            await ana.receive_json_from(timeout=15)  # a busy shared machine
        await ana.disconnect()

    async_to_sync(scenario)()
    events = reads("message.read", personas.ana)
    assert len(events) == 1  # three messages, one connection: one event
    assert events[0].subject == audit.pseudonym(personas.cara)
    assert events[0].purpose == "Receive messages in real time"


def test_the_file_list_records_the_names_read(personas, login):
    import io

    from mentorhaven.files.services import file_upload

    pair = make_active(personas, personas.cara, personas.ana)
    file_upload(
        actor=personas.cara,
        fileobj=io.BytesIO(b"plan\n"),
        declared_name="plan.txt",
        relationship=pair,
    )
    client = login(personas.ana)
    assert client.get(f"/files/r/{pair.public_id}/").status_code == 200
    [event] = reads("file.names_read", personas.ana)
    assert event.subject == audit.pseudonym(personas.cara)


def test_a_match_run_records_one_read_of_everyone_whose_answers_it_loaded(personas):
    from mentorhaven.matching.services import questionnaire_submit

    for person, role in ((personas.cara, "mentee"), (personas.ana, "mentor")):
        questionnaire_submit(
            actor=person, program=personas.program, role=role, answers={}, goals="finance"
        )
    match_run_create(actor=personas.coordinator, program=personas.program)
    events = reads("matching.answers_read", personas.coordinator)
    assert subjects(events) == {audit.pseudonym(personas.cara), audit.pseudonym(personas.ana)}
    assert len({e.occurred_at for e in events}) == 1  # one INSERT for the whole run


# --- what the person reads in their log ---------------------------------------------------------


def test_the_log_says_in_plain_words_who_read_my_messages_grouped_by_day(chat, personas, login):
    reader = login(personas.ana)
    for _ in range(3):
        reader.get(f"/messages/c/{chat.public_id}/")
    cara = login(personas.cara, c=Client())
    items = cara.get("/api/v1/me/access-log", {"include_own": "false"}).json()["items"]
    [line] = [i for i in items if i["action"] == "message.read"]
    assert line["action_label"] == "Ana Mentor read your messages"
    assert line["count"] == 3


def test_a_reported_person_never_learns_of_the_report(chat, personas, login):
    message = chat.messages.filter(author=personas.ana).get()
    report = messaging.report_create(
        actor=personas.cara, message=message, reason="harassment", note="Uncomfortable"
    )
    messaging.report_triage(actor=personas.coordinator, report=report)
    messaging.report_close(actor=personas.coordinator, report=report, outcome="no_action")
    admin = login(personas.coordinator)
    assert admin.get(f"/messages/reports/{report.public_id}/").status_code == 200

    ana = login(personas.ana, c=Client())
    reported_side = ana.get("/privacy/access-log").content.decode().lower()
    assert "reviewed one of your messages" in reported_side
    for word in ("report", "safety", "harassment", "cara"):
        assert word not in reported_side.split("<main", 1)[1], word
    cara = login(personas.cara, c=Client())
    reporter_side = cara.get("/privacy/access-log").content.decode()
    assert "a program admin, reviewed a message for safety" in reporter_side


# --- cost ---------------------------------------------------------------------------------------


def _queries_to_record(viewer, people) -> int:
    vault.forget_cached_keys()
    with CaptureQueriesContext(connection) as queries:
        audit.record_access(
            viewer=viewer,
            subjects=people,
            category="platform",
            purpose="a list",
            action="data.read",
        )
    return len(queries.captured_queries)


def test_recording_a_read_costs_the_same_for_three_people_as_for_forty(personas):
    from tests.factories import PersonFactory

    many = PersonFactory.create_batch(40)
    few = many[:3]
    before = AuditEvent.objects.count()
    first = _queries_to_record(personas.coordinator, many)  # creates their keys: a few more
    assert first <= 6  # keys read, created in one statement, read back; one INSERT
    assert _queries_to_record(personas.coordinator, few) == _queries_to_record(
        personas.coordinator, many
    )
    assert AuditEvent.objects.count() - before == 40 + 3 + 40  # every person named, every time


# --- the walk: every page that shows someone's content records it -----------------------------

# (URL name, who) -> the read it must record. A page showing someone else's content and missing
# here is a hole; a page here that stops recording fails the walk.
CONTENT_PAGES = {
    ("messaging:conversation", "mentee"): "message.read",
    ("messaging:conversation", "mentor"): "message.read",
    ("messaging:history", "mentee"): "message.read",
    ("messaging:search", "mentee"): "message.read",
    ("relationship_files", "mentor"): "file.names_read",
    ("file_content", "mentor"): "file.read",
    ("relationship_detail", "mentee"): "data.read",
    ("relationship_detail", "mentor"): "data.read",
    ("relationship_program", "program_admin"): "program.overview_read",
    ("matching_run", "program_admin"): "matching.run_read",
    ("matching_suggestions", "waiting_mentee"): "matching.suggestions_read",
    ("messaging:report_detail", "program_admin"): "report.review",
}


def test_every_content_page_records_its_read():
    world = build_world(participants=12)
    clients = _signed_in(world)
    walked, missing = set(), []
    for page in pages(world):
        action = CONTENT_PAGES.get((page.name.split(" ")[0], page.who))
        before = AuditEvent.objects.count()
        response = clients[page.who].get(page.path)
        assert response.status_code == page.status, page
        walked.add((page.name.split(" ")[0], page.who))
        if action is None:
            continue
        new = AuditEvent.objects.order_by("id")[before:]
        viewer = audit.pseudonym(world.people[page.who])
        recorded = [e for e in new if e.action == action and e.actor == viewer]
        if not recorded or viewer in subjects(recorded):
            missing.append(page.name)
    assert not missing, f"pages showing someone's content without a read on the record: {missing}"
    assert set(CONTENT_PAGES) <= walked, set(CONTENT_PAGES) - walked


def test_a_meeting_downloaded_for_a_calendar_records_the_read_of_its_place(personas, login):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from mentorhaven.mentoring import services as mentoring

    pair = make_active(personas, personas.cara, personas.ana)
    slot = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    meeting = mentoring.meeting_propose(
        actor=personas.cara, relationship=pair, slots=[slot], location="Café Central"
    )
    meeting = mentoring.meeting_accept(actor=personas.ana, meeting=meeting, starts_at=slot)
    client = login(personas.ana)
    response = client.get(reverse("meeting_ics", kwargs={"meeting_id": meeting.public_id}))
    assert response.status_code == 200
    [event] = [e for e in reads("data.read", personas.ana) if "calendar" in e.purpose]
    assert event.subject == audit.pseudonym(personas.cara)
