"""The dashboard's checklist: each mentee's and mentor's next step, read from the facts, in a
fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mentorhaven.matching.services import question_create, questionnaire_submit
from mentorhaven.mentoring.services import (
    meeting_propose,
    relationship_accept,
    relationship_propose,
)
from mentorhaven.web.checklist import WHY_SECOND_FACTOR, checklist_for

pytestmark = pytest.mark.django_db


def _steps(user) -> dict[str, tuple[bool, bool]]:
    return {s.key.split("-")[0]: (s.done, s.next) for s in checklist_for(user)}


@pytest.fixture
def question(personas):
    return question_create(
        actor=personas.coordinator,
        program=personas.program,
        kind="single",
        prompt="Your industry",
        options=["finance", "health"],
    )


def test_a_new_mentee_is_led_from_questionnaire_to_request_to_agreement_to_meeting(
    personas, question
):
    p = personas
    steps = _steps(p.cara)
    assert steps["questionnaire"] == (False, True)  # the next step
    assert steps["request"] == (False, False)
    assert steps["first"] == (False, False)  # a meeting: once matched
    assert "agreement" not in steps and "second" not in steps  # no match yet; not a mentor
    questionnaire_submit(
        actor=p.cara, program=p.program, role="mentee", answers={question: "finance"}
    )
    relationship = relationship_propose(
        actor=p.coordinator, program=p.program, mentee=p.cara, mentor=p.ana
    )
    steps = _steps(p.cara)
    assert steps["questionnaire"][0] and steps["request"][0]
    assert steps["agreement"] == (False, True)
    relationship_accept(actor=p.cara, relationship=relationship)
    relationship_accept(actor=p.ana, relationship=relationship)
    assert _steps(p.cara)["first"] == (False, True)
    slot = timezone.now() + timedelta(days=2)
    meeting_propose(actor=p.cara, relationship=relationship, slots=[slot])
    assert all(done for done, _next in _steps(p.cara).values())


def test_a_mentor_sees_the_second_factor_step_with_why(personas, django_user_model):
    steps = checklist_for(personas.ana)
    [factor] = [s for s in steps if s.key == "second-factor"]
    assert factor.done  # the personas' mentors enrolled TOTP
    assert factor.why == WHY_SECOND_FACTOR and "confide" in str(factor.why)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=personas.ana).delete()
    [factor] = [s for s in checklist_for(personas.ana) if s.key == "second-factor"]
    assert not factor.done and factor.next


def test_admins_and_outsiders_have_no_checklist(personas):
    assert checklist_for(personas.coordinator) == []
    assert checklist_for(personas.auditor) == []


def test_the_dashboard_shows_the_next_step(client, personas, login, question):
    login(personas.cara)
    page = client.get("/dashboard/").content.decode()
    assert "Your next steps" in page and "Next:" in page
    assert f"/matching/programs/{personas.program.public_id}/questionnaire/mentee/" in page


def test_the_checklist_costs_the_same_queries_with_many_relationships(
    personas, question, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
    )
    with CaptureQueriesContext(connection) as few:
        checklist_for(personas.ana)
    relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.dev,
        mentor=personas.ana,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        checklist_for(personas.ana)
