"""Meeting agenda (either participant) and conversation prompts (the mentor): from the open
goals and shared notes only; a private note never reaches a prompt."""

from __future__ import annotations

import pytest

from mentorhaven.assistant import gateway
from mentorhaven.assistant.features import shared_note_pieces
from mentorhaven.assistant.services import conversation_prompts_suggest, meeting_agenda_suggest
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import goal_create, note_create
from tests.assistant.conftest import agree

POINTS = '{"points": ["Review the roadmap draft", "Plan the rehearsal", "Agree next steps"]}'


@pytest.fixture
def content(pair, personas):
    goal_create(actor=personas.cara, relationship=pair, title="Present the roadmap")
    note_create(
        actor=personas.cara, relationship=pair, body="XSHAREDONE rehearsal went ok", shared=True
    )
    note_create(
        actor=personas.ana, relationship=pair, body="XSHAREDTWO try shorter slides", shared=True
    )
    note_create(actor=personas.cara, relationship=pair, body="XPRIVATEONE I feel anxious")
    note_create(actor=personas.ana, relationship=pair, body="XPRIVATETWO she seems tired")
    return pair


def test_a_private_note_never_reaches_the_agenda_prompt(ai_on, fake_model, content, personas):
    fake_model.reply = POINTS
    agree(personas.cara)
    agree(personas.ana)
    points, answer = meeting_agenda_suggest(actor=personas.ana, relationship=content)
    sent = fake_model.received[0].text
    assert "XSHAREDONE" in sent and "XSHAREDTWO" in sent
    assert "XPRIVATE" not in sent and "anxious" not in sent and "tired" not in sent
    assert points == ["Review the roadmap draft", "Plan the rehearsal", "Agree next steps"]
    assert answer.kinds == ["goals", "shared_notes"]


def test_the_agenda_needs_the_consent_of_both_authors(ai_on, fake_model, content, personas):
    agree(personas.ana)
    with pytest.raises(gateway.NoConsent):
        meeting_agenda_suggest(actor=personas.ana, relationship=content)
    assert fake_model.received == []


def test_the_agenda_call_is_on_both_privacy_records(ai_on, fake_model, content, personas):
    fake_model.reply = POINTS
    agree(personas.cara)
    agree(personas.ana)
    meeting_agenda_suggest(actor=personas.cara, relationship=content)
    found = AuditEvent.objects.filter(action="assistant.meeting_agenda")
    assert {e.subject for e in found} == {
        audit.pseudonym(personas.cara),
        audit.pseudonym(personas.ana),
    }


def test_shared_note_pieces_refuse_a_private_note(content):
    private = content.notes.filter(shared=False).first()
    with pytest.raises(ValueError):
        shared_note_pieces([private])


def test_conversation_prompts_are_for_the_mentor_from_the_mentees_goals(
    ai_on, fake_model, content, personas
):
    fake_model.reply = POINTS
    agree(personas.cara)  # only the mentee's data is sent: the mentor's consent is not needed
    with pytest.raises(PermissionDenied):
        conversation_prompts_suggest(actor=personas.cara, relationship=content)
    points, answer = conversation_prompts_suggest(actor=personas.ana, relationship=content)
    sent = fake_model.received[0].text
    assert "roadmap" in sent and "XSHARED" not in sent and "XPRIVATE" not in sent
    assert answer.kinds == ["goals"] and len(points) == 3


def test_the_pages_say_machine_written_and_what_was_used(
    client, login, ai_on, fake_model, content, personas
):
    fake_model.reply = POINTS
    agree(personas.cara)
    agree(personas.ana)
    login(personas.ana)
    html = client.get(f"/relationships/{content.public_id}/").content.decode()
    assert "Suggest an agenda (AI)" in html and "Conversation prompts (AI)" in html
    response = client.post(f"/assistant/relationships/{content.public_id}/agenda/")
    html = response.content.decode()
    assert "Machine-written." in html and "from goals, shared notes" in html
    assert "Review the roadmap draft" in html
    response = client.post(f"/assistant/relationships/{content.public_id}/prompts/")
    assert "from goals" in response.content.decode()


def test_an_outsider_gets_404(client, login, ai_on, fake_model, content, personas):
    agree(personas.dev)
    client.force_login(personas.dev)
    response = client.post(f"/assistant/relationships/{content.public_id}/agenda/")
    assert response.status_code == 404
    assert fake_model.received == []
