"""Meetings: propose one to three times, the other accepts one or declines; .ics files and a
private feed that say only "Mentoring meeting"; reminders without content, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.access import access_meeting
from mentorhaven.mentoring.models import CalendarFeed, Meeting
from mentorhaven.mentoring.selectors import calendar_owner, meetings_for
from mentorhaven.mentoring.services import (
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_token_hash,
    meeting_accept,
    meeting_cancel,
    meeting_decline,
    meeting_propose,
    relationship_end,
)
from mentorhaven.messaging.models import Notification

from .conftest import last_event, reads_about

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
AGENDA = "Discuss my panic attacks before presentations"
SLOTS = [NOW + timedelta(days=2, hours=h) for h in (0, 3, 5)]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def proposed(personas, pair):
    return meeting_propose(
        actor=personas.cara, relationship=pair, slots=SLOTS, location="Room 4", agenda=AGENDA
    )


@pytest.fixture
def scheduled(personas, proposed):
    return meeting_accept(actor=personas.ana, meeting=proposed, starts_at=SLOTS[1])


def test_proposal_is_audited_and_notifies_without_content(
    personas, pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_propose(
            actor=personas.cara, relationship=pair, slots=SLOTS[:2], agenda=AGENDA
        )
    event = last_event("meeting.propose")
    assert event.target_id == audit.target_pseudonym(personas.cara, meeting)
    assert event.extra == {"slots": 2}
    [message] = mail.outbox
    assert message.to == [personas.ana.email]
    assert AGENDA not in message.body and "Cara" not in message.body + message.subject


def test_agenda_is_ciphertext_at_rest(proposed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT agenda FROM mentoring_meeting WHERE id = %s", [proposed.pk])
        assert AGENDA.encode() not in bytes(cursor.fetchone()[0])


@pytest.mark.parametrize(
    "slots",
    [
        [],
        [NOW - timedelta(hours=1)],
        [NOW + timedelta(days=d) for d in (1, 2, 3, 4)],
        [datetime(2027, 3, 5, 9, 0)],
    ],
    ids=["none", "past", "four", "naive"],
)
def test_slots_must_be_one_to_three_future_aware_times(personas, pair, slots):
    with pytest.raises(ValidationFailed):
        meeting_propose(actor=personas.cara, relationship=pair, slots=slots)


def test_the_other_participant_accepts_one_offered_time(personas, proposed):
    with pytest.raises(PermissionDenied):
        meeting_accept(actor=personas.cara, meeting=proposed, starts_at=SLOTS[0])
    with pytest.raises(ValidationFailed):
        meeting_accept(actor=personas.ana, meeting=proposed, starts_at=SLOTS[0] + timedelta(1))
    meeting = meeting_accept(actor=personas.ana, meeting=proposed, starts_at=SLOTS[1])
    assert (meeting.status, meeting.starts_at) == (Meeting.Status.SCHEDULED, SLOTS[1])
    assert last_event("meeting.accept").actor == audit.pseudonym(personas.ana)
    with pytest.raises(Conflict):
        meeting_decline(actor=personas.ana, meeting=meeting)


def test_decline_and_cancel(personas, pair, proposed):
    declined = meeting_decline(actor=personas.ana, meeting=proposed)
    assert declined.status == Meeting.Status.DECLINED
    assert last_event("meeting.decline").target_id == audit.target_pseudonym(personas.ana, proposed)
    other = meeting_propose(actor=personas.ana, relationship=pair, slots=SLOTS[:1])
    cancelled = meeting_cancel(actor=personas.ana, meeting=other)
    assert cancelled.status == Meeting.Status.CANCELLED
    assert last_event("meeting.cancel").target_id == audit.target_pseudonym(personas.ana, other)
    with pytest.raises(PermissionDenied):
        meeting_cancel(actor=personas.ben, meeting=proposed)


def test_reading_the_agenda_is_recorded_for_its_writer(personas, pair, proposed):
    [meeting] = meetings_for(viewer=personas.ana, relationship=pair)
    assert meeting.agenda == AGENDA
    assert len(reads_about(personas.cara, viewer=personas.ana)) == 1


def test_strangers_and_admins_cannot_reach_a_meeting(personas, pair, other_pair, proposed):
    for viewer in (personas.ben, personas.dev, personas.coordinator, personas.outsider):
        with pytest.raises(NotFound):
            access_meeting(viewer, proposed.public_id)
    relationship_end(actor=personas.cara, relationship=pair, reason="schedule")
    with pytest.raises(NotFound):
        access_meeting(personas.ana, proposed.public_id)


def test_meeting_ics_download_has_time_place_and_no_agenda(client, login, personas, scheduled):
    login(personas.cara)
    response = client.get(f"/relationships/meetings/{scheduled.public_id}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "DTSTART:20270303T120000Z" in text
    assert "SUMMARY:Mentoring meeting" in text
    assert "LOCATION:Room 4" in text
    assert "panic" not in text
    client.logout()
    login(personas.ben)
    assert client.get(f"/relationships/meetings/{scheduled.public_id}.ics").status_code == 404


def test_calendar_feed_token_is_random_hashed_and_revocable(client, personas, scheduled):
    feed, token = calendar_feed_create(actor=personas.ana)
    assert len(token) >= 43  # 32 random bytes, url-safe base64: 256 bits
    assert feed.token_hash == calendar_token_hash(token) and token not in feed.token_hash
    assert last_event("calendar_feed.create").subject == audit.pseudonym(personas.ana)
    response = client.get(f"/relationships/calendar/{token}.ics")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Mentoring meeting" in text
    for leak in ("panic", "Room 4", "Cara", "Ana"):
        assert leak not in text

    _feed, new_token = calendar_feed_create(actor=personas.ana)
    assert client.get(f"/relationships/calendar/{token}.ics").status_code == 404
    assert client.get(f"/relationships/calendar/{new_token}.ics").status_code == 200
    assert calendar_feed_revoke(actor=personas.ana)
    assert last_event("calendar_feed.revoke").subject == audit.pseudonym(personas.ana)
    assert client.get(f"/relationships/calendar/{new_token}.ics").status_code == 404
    assert not CalendarFeed.objects.exists()


def test_feed_holds_only_its_owners_meetings(personas, scheduled, other_pair):
    meeting_propose(actor=personas.dev, relationship=other_pair, slots=SLOTS[:1])
    _feed, token = calendar_feed_create(actor=personas.cara)
    assert calendar_owner(token) == personas.cara
    assert calendar_owner("wrong") is None
    _feed, ben_token = calendar_feed_create(actor=personas.ben)
    assert calendar_owner(ben_token) == personas.ben


def test_feed_page_shows_the_address_once(client, login, personas):
    login(personas.cara)
    response = client.post("/relationships/calendar/", {"action": "create"})
    assert response.status_code == 200
    assert b"/relationships/calendar/" in response.content
    again = client.get("/relationships/calendar/")
    assert b".ics" not in again.content


def test_reminders_are_sent_once_and_carry_no_content(
    personas, scheduled, frozen, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("relationships", "reminders")
    assert mail.outbox == []  # two days ahead: not yet
    frozen.move_to(SLOTS[1] - timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("relationships", "reminders")
        call_command("relationships", "reminders")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.ana.email, personas.cara.email])
    for message in mail.outbox:
        assert "panic" not in message.body and "Room 4" not in message.body
        assert "Ana" not in message.body and "Cara" not in message.body
    assert last_event("meeting.remind").actor == "system"


def test_a_mail_outage_does_not_fail_the_proposal(
    personas, pair, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("mentorhaven.messaging.notices.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_propose(actor=personas.cara, relationship=pair, slots=SLOTS[:1])
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    # The notice waits, not e-mailed: the hourly run of the e-mails tries again.
    notice = Notification.objects.get(user=personas.ana, kind="meeting_proposed")
    assert notice.emailed_at is None
