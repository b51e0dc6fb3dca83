"""The relationship pages: participants see agreement, goals, meetings and notes; admins see
only the program overview with counts; everyone else gets 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.mentoring.models import Meeting, Note, Relationship
from mentorhaven.mentoring.services import (
    goal_create,
    meeting_propose,
    note_create,
    relationship_propose,
)

from .conftest import last_event

pytestmark = pytest.mark.django_db

GOAL_TEXT = "Get through the reorganisation without losing sleep"
NOTE_TEXT = "We agreed to talk about the promotion panel"


def _page(relationship) -> str:
    return f"/relationships/{relationship.public_id}/"


@pytest.fixture
def filled(personas, pair):
    goal_create(actor=personas.cara, relationship=pair, title="Stay calm", description=GOAL_TEXT)
    note_create(actor=personas.ana, relationship=pair, body=NOTE_TEXT, shared=True)
    note_create(actor=personas.ana, relationship=pair, body="mentor's own thoughts")
    return pair


def test_agreement_must_be_accepted_by_both_before_content_opens(client, login, personas):
    relationship = relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
    )
    login(personas.cara)
    page = client.get(_page(relationship)).content.decode()
    assert "stays between us" in page  # the program's agreement text
    assert 'id="notes"' not in page
    incomplete = client.post(f"{_page(relationship)}accept/", {"agreement": "on"})
    assert incomplete.status_code == 302
    relationship.refresh_from_db()
    assert relationship.mentee_accepted_at is None
    client.post(f"{_page(relationship)}accept/", {"agreement": "on", "goals": "on"})
    client.logout()
    login(personas.ana)
    client.post(f"{_page(relationship)}accept/", {"agreement": "on", "goals": "on"})
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ACTIVE
    assert last_event("relationship.accept").extra == {"status": "active"}
    assert 'id="notes"' in client.get(_page(relationship)).content.decode()


def test_participants_see_the_inside(client, login, personas, filled):
    login(personas.cara)
    page = client.get(_page(filled)).content.decode()
    assert GOAL_TEXT in page and NOTE_TEXT in page
    assert "mentor&#x27;s own thoughts" not in page and "own thoughts" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline script
    assert "style=" not in page and "<style" not in page


def test_form_fields_have_labels(client, login, personas, filled):
    login(personas.cara)
    page = client.get(_page(filled)).content.decode()
    for field_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page):
        assert f'for="{field_id}"' in page, field_id


def test_admins_and_strangers_get_404_on_the_participants_page(client, login, personas, filled):
    for viewer in (personas.coordinator, personas.ben, personas.outsider):
        client.logout()
        login(viewer)
        assert client.get(_page(filled)).status_code == 404


def test_program_overview_shows_counts_and_never_text(client, login, personas, filled):
    login(personas.coordinator)
    response = client.get(f"/relationships/program/{personas.program.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana Mentor" in page and "Cara Mentee" in page
    assert GOAL_TEXT not in page and NOTE_TEXT not in page and "Stay calm" not in page
    assert "Fewer than 10 responses" in page
    client.logout()
    login(personas.cara)
    assert client.get(f"/relationships/program/{personas.program.public_id}/").status_code == 404


def test_note_added_with_htmx_returns_the_notes_section(client, login, personas, pair):
    login(personas.cara)
    response = client.post(
        f"{_page(pair)}notes/",
        {"body": "A fresh note", "shared": "on"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="notes"') and "A fresh note" in html
    assert Note.objects.get().shared is True


def test_shredded_author_shows_the_placeholder_not_an_error(client, login, personas, filled):
    vault.shred(personas.ana)
    vault.forget_cached_keys()
    login(personas.cara)
    response = client.get(_page(filled))
    assert response.status_code == 200
    page = response.content.decode()
    assert "[erased]" in page and NOTE_TEXT not in page
    assert GOAL_TEXT in page


def test_meeting_form_proposes_a_meeting(client, login, personas, pair):
    login(personas.ana)
    response = client.post(
        f"{_page(pair)}meetings/",
        {
            "slot_1": "2099-05-01T10:00",
            "duration_minutes": "45",
            "location": "Room 2",
            "agenda": "CV review",
        },
    )
    assert response.status_code == 302
    assert last_event("meeting.propose").extra == {"slots": 1}
    page = client.get(_page(pair)).content.decode()
    assert "CV review" in page and "Waiting for an answer" in page


def test_the_other_participant_accepts_a_time_on_the_page(client, login, personas, pair):
    slot = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    meeting = meeting_propose(actor=personas.ana, relationship=pair, slots=[slot])
    login(personas.cara)
    page = client.get(_page(pair)).content.decode()
    assert f'value="{slot.isoformat()}"' in page
    response = client.post(
        f"/relationships/meetings/{meeting.public_id}/accept/", {"slot": slot.isoformat()}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.starts_at) == (Meeting.Status.SCHEDULED, slot)
    assert "Add to calendar" in client.get(_page(pair)).content.decode()


def test_author_edits_a_note_on_its_page_and_others_get_404(client, login, personas, filled):
    note = Note.objects.get(body__isnull=False, shared=True)
    login(personas.cara)
    assert client.get(f"/relationships/notes/{note.public_id}/edit/").status_code == 403
    client.logout()
    login(personas.ana)
    form = client.get(f"/relationships/notes/{note.public_id}/edit/").content.decode()
    assert NOTE_TEXT in form
    client.post(f"/relationships/notes/{note.public_id}/edit/", {"body": "Rewritten"})
    note.refresh_from_db()
    assert note.body == "Rewritten" and note.shared is False
    assert last_event("note.edit").extra == {"shared": False}
