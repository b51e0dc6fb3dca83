"""The gateway against a real local chat-completions server: what leaves, and when nothing may."""

from __future__ import annotations

import json
import socket

import pytest

from mentorhaven.assistant import gateway
from mentorhaven.assistant.features import GOAL_COACH, goal_pieces
from mentorhaven.assistant.gateway import Piece
from mentorhaven.assistant.services import assistant_settings_set, goal_coach_suggest
from mentorhaven.kernel import audit
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import goal_create
from tests.assistant.conftest import agree, withdraw

ROUGH = (
    "Get better at presenting. My manager Tom Becker wants me to present the roadmap; "
    "Cara Mentee can be reached at cara.private@example.com or +49 171 2345678."
)


@pytest.fixture
def goal(pair, personas):
    return goal_create(
        actor=personas.cara, relationship=pair, title="Present better", description=ROUGH
    )


def ask(goal, actor):
    return gateway.ask(
        feature=GOAL_COACH,
        actor=actor,
        organization=goal.relationship.program.organization,
        pieces=goal_pieces(goal),
    )


def test_a_call_sends_redacted_text_and_restores_the_answer_for_the_asker(
    ai_on, fake_model, goal, personas
):
    agree(personas.cara)
    answer = ask(goal, personas.cara)
    assert len(fake_model.received) == 1
    sent = fake_model.received[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "qwen2.5-7b-instruct"
    for identifier in ("Tom Becker", "Cara", "Mentee", "cara.private@example.com", "2345678"):
        assert identifier not in sent.text
    assert "[NAME_" in sent.text and "[EMAIL_1]" in sent.text and "[PHONE_1]" in sent.text
    # The fake model echoes the first placeholder: the person who asked sees the name again.
    assert "[NAME_" not in answer.text
    assert "Cara" in answer.text or "Tom Becker" in answer.text
    assert answer.prompt_tokens == 120 and answer.completion_tokens == 80


def test_nothing_is_sent_without_the_subjects_consent(ai_on, fake_model, goal, personas):
    with pytest.raises(gateway.NoConsent):
        ask(goal, personas.cara)
    assert fake_model.received == []


def test_every_subject_must_consent(ai_on, fake_model, goal, personas):
    """A prompt holding the mentee's and the mentor's data needs both consents."""
    agree(personas.cara)
    pieces = [*goal_pieces(goal), Piece("mentoring.note.body", personas.ana, "A note", "x")]
    with pytest.raises(gateway.NoConsent):
        gateway.ask(
            feature=GOAL_COACH, actor=personas.cara, organization=personas.org, pieces=pieces
        )
    assert fake_model.received == []
    agree(personas.ana)
    gateway.ask(feature=GOAL_COACH, actor=personas.cara, organization=personas.org, pieces=pieces)
    assert len(fake_model.received) == 1


def test_withdrawal_stops_the_next_call(ai_on, fake_model, goal, personas):
    agree(personas.cara)
    ask(goal, personas.cara)
    withdraw(personas.cara)
    with pytest.raises(gateway.NoConsent):
        ask(goal, personas.cara)
    assert len(fake_model.received) == 1


def test_a_field_not_declared_usable_for_ai_is_refused(ai_on, fake_model, goal, personas):
    agree(personas.cara)
    piece = Piece("mentoring.relationship.end_note", personas.cara, "private", "notes")
    with pytest.raises(gateway.NotDeclared):
        gateway.ask(
            feature=GOAL_COACH, actor=personas.cara, organization=personas.org, pieces=[piece]
        )
    assert fake_model.received == []


def test_ai_off_explains_how_to_enable(fake_model, goal, personas):
    agree(personas.cara)
    with pytest.raises(gateway.NotEnabled) as refused:
        ask(goal, personas.cara)
    assert "organization admin can turn it on" in refused.value.message
    assistant_settings_set(actor=None, organization=personas.org, enabled=False)
    with pytest.raises(gateway.NotEnabled):
        ask(goal, personas.cara)
    assert fake_model.received == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_endpoint_down_gives_a_clear_message(ai_on, goal, personas):
    agree(personas.cara)
    ai_on.base_url = f"http://127.0.0.1:{_closed_port()}/v1"
    ai_on.save()
    with pytest.raises(gateway.EndpointDown) as refused:
        ask(goal, personas.cara)
    assert "did not answer" in refused.value.message
    assert refused.value.status == 503


def test_an_error_status_is_endpoint_down(ai_on, fake_model, goal, personas):
    agree(personas.cara)
    fake_model.status = 500
    with pytest.raises(gateway.EndpointDown):
        ask(goal, personas.cara)


def test_a_slow_endpoint_times_out(ai_on, goal, personas, settings):
    settings.AI_TIMEOUT_SECONDS = 1
    agree(personas.cara)
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        ai_on.base_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        ai_on.save()
        with pytest.raises(gateway.EndpointDown):
            ask(goal, personas.cara)


def test_budget_exhausted_gives_a_clear_message(ai_on, fake_model, goal, personas):
    agree(personas.cara)
    ai_on.monthly_token_budget = GOAL_COACH.max_tokens + 150
    ai_on.save()
    ask(goal, personas.cara)  # uses 200 tokens
    assert gateway.tokens_used(personas.org) == 200
    with pytest.raises(gateway.BudgetExhausted) as refused:
        ask(goal, personas.cara)
    assert "this month's AI budget" in refused.value.message
    assert len(fake_model.received) == 1


def test_the_key_file_is_sent_as_a_bearer_token(ai_on, fake_model, goal, personas, tmp_path):
    key = tmp_path / "ai.key"
    key.write_text("sk-local-test\n")
    ai_on.key_file = str(key)
    ai_on.save()
    agree(personas.cara)
    ask(goal, personas.cara)
    assert fake_model.received[0].headers["Authorization"] == "Bearer sk-local-test"


def test_one_audit_event_per_call_carries_no_text(ai_on, fake_model, goal, personas):
    agree(personas.cara)
    before = AuditEvent.objects.filter(action="assistant.goal_coach").count()
    answer = ask(goal, personas.cara)
    found = list(AuditEvent.objects.filter(action="assistant.goal_coach"))
    assert len(found) == before + 1
    event = found[-1]
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.category == "personal"
    extra = event.extra
    assert extra["feature"] == "goal_coach" and extra["kinds"] == ["goals"]
    assert extra["model"] == "qwen2.5_7b_instruct"
    assert extra["prompt_tokens"] == 120 and extra["completion_tokens"] == 80
    assert extra["name_placeholders"] >= 2 and extra["email_placeholders"] == 1
    assert extra["phone_placeholders"] == 1
    stored = json.dumps(
        {f: getattr(event, f) for f in ("purpose", "target_type", "target_id", "action")}
    ) + json.dumps(extra)
    prompt = fake_model.received[0].text
    for text in (ROUGH, "Present better", "Tom", "cara.private", "roadmap", answer.text[:20]):
        assert text not in stored
    assert "roadmap" in prompt  # the prompt did carry content; the event does not


def test_goal_coach_is_for_the_goals_owner_only(ai_on, fake_model, goal, personas):
    from mentorhaven.kernel.errors import PermissionDenied

    agree(personas.ana)
    agree(personas.cara)
    with pytest.raises(PermissionDenied):
        goal_coach_suggest(actor=personas.ana, goal=goal)
    assert fake_model.received == []
