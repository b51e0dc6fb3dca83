"""Program admins define the questionnaire; participants' answers are encrypted under their key."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.matching.models import Answer, Profile, Question
from mentorhaven.matching.services import question_create, question_delete, questionnaire_submit

from .conftest import events, fill

pytestmark = pytest.mark.django_db


def test_program_admin_creates_a_question_with_its_category_and_flags(personas):
    q = question_create(
        actor=personas.coordinator,
        program=personas.program,
        kind="scale",
        prompt="  How often can you meet?  ",
        category="program",
        weight=2,
        used_for_matching=False,
    )
    assert (q.prompt, q.category, q.weight, q.used_for_matching) == (
        "How often can you meet?",
        "program",
        2.0,
        False,
    )
    # No subject: the target is keyed to the actor.
    assert events("matching.question_create")[-1].target_id == audit.target_pseudonym(
        personas.coordinator, q
    )


def test_org_admin_may_edit_the_questionnaire_too(personas):
    question_create(
        actor=personas.org_admin, program=personas.program, kind="text", prompt="Anything else?"
    )
    assert Question.objects.count() == 1


@pytest.mark.parametrize("who", ["ana", "cara", "outsider", "auditor"])
def test_only_program_admins_define_questions(personas, who):
    with pytest.raises(PermissionDenied):
        question_create(
            actor=getattr(personas, who), program=personas.program, kind="text", prompt="Sneaky?"
        )
    assert not Question.objects.exists()


def test_a_choice_question_needs_options(personas):
    with pytest.raises(ValidationFailed):
        question_create(
            actor=personas.coordinator,
            program=personas.program,
            kind="single",
            prompt="Pick",
            options=["only one"],
        )


def test_a_sensitive_question_is_never_required(personas):
    q = question_create(
        actor=personas.coordinator,
        program=personas.program,
        kind="single",
        prompt="Gender",
        options=["f", "m"],
        sensitive=True,
        required=True,
    )
    assert q.sensitive and not q.required


def test_answers_are_stored_encrypted_under_the_participants_key(personas, questionnaire):
    fill(
        personas.cara,
        personas.program,
        "mentee",
        questionnaire,
        topics=["leadership"],
        industry="finance",
        goals="become a confident team lead",
    )
    answer = Answer.objects.get(question=questionnaire["industry"])
    assert answer.value == "finance"
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM matching_answer")
        raw = b"".join(bytes(row[0]) for row in cursor.fetchall())
        cursor.execute("SELECT goals FROM matching_profile")
        raw_goals = bytes(cursor.fetchone()[0])
    assert b"finance" not in raw and b"leadership" not in raw
    assert b"team lead" not in raw_goals
    assert Profile.objects.get(user=personas.cara).goals == "become a confident team lead"
    event = events("matching.questionnaire_submit")[-1]
    assert event.extra == {"answers": 2} and event.category == "personal"


def test_required_questions_must_be_answered(personas, questionnaire):
    q = question_create(
        actor=personas.coordinator,
        program=personas.program,
        kind="text",
        prompt="Your role",
        required=True,
    )
    with pytest.raises(ValidationFailed) as raised:
        questionnaire_submit(
            actor=personas.cara, program=personas.program, role="mentee", answers={q: ""}
        )
    assert raised.value.extra["questions"] == [str(q.public_id)]


def test_an_answer_outside_the_options_is_refused(personas, questionnaire):
    with pytest.raises(ValidationFailed):
        questionnaire_submit(
            actor=personas.cara,
            program=personas.program,
            role="mentee",
            answers={questionnaire["industry"]: "astrology"},
        )


def test_only_participants_of_the_role_fill_it_in(personas, questionnaire):
    with pytest.raises(ValidationFailed):
        questionnaire_submit(
            actor=personas.cara, program=personas.program, role="mentor", answers={}
        )
    with pytest.raises(ValidationFailed):
        questionnaire_submit(
            actor=personas.outsider, program=personas.program, role="mentee", answers={}
        )


def test_mentor_only_questions_are_not_in_the_mentee_questionnaire(personas, questionnaire):
    only_mentors = question_create(
        actor=personas.coordinator,
        program=personas.program,
        kind="text",
        prompt="Years of experience?",
        audience="mentor",
    )
    with pytest.raises(ValidationFailed):
        questionnaire_submit(
            actor=personas.cara,
            program=personas.program,
            role="mentee",
            answers={only_mentors: "5"},
        )


def test_mentor_capacity_defaults_to_two_and_can_pause(personas, questionnaire):
    profile = fill(personas.ana, personas.program, "mentor", questionnaire)
    assert (profile.capacity, profile.paused) == (2, False)
    profile = fill(personas.ana, personas.program, "mentor", questionnaire, capacity=4, paused=True)
    assert (profile.capacity, profile.paused) == (4, True)


def test_deleting_a_question_deletes_its_answers(personas, questionnaire):
    fill(personas.cara, personas.program, "mentee", questionnaire, industry="finance")
    question_delete(actor=personas.coordinator, question=questionnaire["industry"])
    assert not Answer.objects.exists()


def test_an_answered_questions_type_cannot_change(personas, questionnaire):
    from mentorhaven.kernel.errors import Conflict
    from mentorhaven.matching.services import question_update

    fill(personas.cara, personas.program, "mentee", questionnaire, industry="finance")
    with pytest.raises(Conflict):
        question_update(
            actor=personas.coordinator, question=questionnaire["industry"], kind="multi"
        )
    updated = question_update(
        actor=personas.coordinator, question=questionnaire["industry"], weight=3
    )
    assert updated.weight == 3.0 and events("matching.question_update")


def test_a_question_made_sensitive_keeps_only_consented_answers(personas, questionnaire):
    from mentorhaven.matching.models import Answer
    from mentorhaven.matching.services import question_update

    p, q = personas, questionnaire
    fill(p.cara, p.program, "mentee", q, industry="finance", consent=True)
    fill(p.dev, p.program, "mentee", q, industry="health")
    question_update(actor=p.coordinator, question=q["industry"], sensitive=True)
    kept = Answer.objects.filter(question=q["industry"])
    assert list(kept.values_list("user_id", flat=True)) == [p.cara.pk]
