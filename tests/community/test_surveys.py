"""Surveys: the mode is stated before answering; an anonymous answer is stored with nothing that
joins it to its respondent (schema, ids, order, time); confidential answers are linked but
shown only in aggregates; results go through the reporting layer; free text never shows."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, models

from mentorhaven.accounts.models import User
from mentorhaven.community import services
from mentorhaven.community.models import (
    AnonymousAnswer,
    ConfidentialAnswer,
    PendingBallot,
    Survey,
    SurveyCompletion,
)
from mentorhaven.community.services.surveys import BATCH
from mentorhaven.community.survey_selectors import survey_results
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.programs.models import Membership
from tests.factories import mark_trained

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "scale", "prompt": "How useful is the program?"},
    {"kind": "choice", "prompt": "Best part", "options": ["meetings", "events", "goals"]},
    {"kind": "text", "prompt": "Anything else?"},
]
ANONYMOUS_TABLES = (AnonymousAnswer, PendingBallot)


def make_survey(personas, mode="anonymous"):
    return services.survey_create(
        actor=personas.coordinator,
        program=personas.program,
        title="Mid-cycle check",
        mode=mode,
        questions=QUESTIONS,
    )


def answers_for(survey, scale, choice, text=""):
    q = {q.kind: str(q.public_id) for q in survey.questions.all()}
    return {q["scale"]: scale, q["choice"]: choice, q["text"]: text}


def members(personas, n):
    people = []
    for i in range(n):
        user = User.objects.create_user(email=f"m{i}@demo.test", password="x", display_name=f"M{i}")
        Membership.objects.create(program=personas.program, user=user, role="mentee")
        mark_trained(user)
        people.append(user)
    return people


# --- the schema ------------------------------------------------------------------------------


def _user_links(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation
        and f.concrete
        and f.related_model is not None
        and f.related_model._meta.label_lower == settings.AUTH_USER_MODEL.lower()
    ]


def _ordered_columns(model) -> list[str]:
    """Columns that could give the order or time of an insert."""
    sequence_or_time = models.DateField | models.AutoField | models.BigAutoField
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, sequence_or_time)
        or (isinstance(field, models.IntegerField) and field.name not in ("choice", "scale"))
    ]


@pytest.mark.parametrize("model", ANONYMOUS_TABLES)
def test_no_column_of_the_anonymous_tables_refers_to_a_user_or_an_order(model):
    assert _user_links(model) == []
    assert _ordered_columns(model) == []
    assert isinstance(model._meta.pk, models.UUIDField)  # random ids, no sequence
    # Nothing that points at the completion table either.
    assert not [f for f in model._meta.get_fields() if f.related_model is SurveyCompletion]


def test_the_completion_table_cannot_be_joined_to_the_answers():
    columns = {f.column for f in SurveyCompletion._meta.concrete_fields}
    assert columns == {"id", "survey_id", "user_id"}  # no time, no answer, no sequence
    assert isinstance(SurveyCompletion._meta.pk, models.UUIDField)
    shared = columns & {f.column for f in AnonymousAnswer._meta.concrete_fields}
    assert shared == {"id", "survey_id"}  # the survey, and unrelated random ids
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(
            cursor, AnonymousAnswer._meta.db_table
        )
    assert {c.name for c in described} == {
        "id", "survey_id", "response", "question_id", "choice", "scale", "text"
    }  # fmt: skip


def test_the_schema_test_fails_on_a_linked_table():
    """The check above can fail: a response model with a respondent is caught."""
    assert _user_links(ConfidentialAnswer) == ["respondent"]
    assert _ordered_columns(ConfidentialAnswer) == ["id", "submitted_at"]


# --- anonymous answering -----------------------------------------------------------------------


def test_anonymous_ballots_wait_sealed_then_are_written_in_a_shuffled_batch(personas):
    survey = make_survey(personas)
    people = members(personas, BATCH)
    for i, person in enumerate(people[:-1]):
        services.survey_respond(
            actor=person, survey=survey, answers=answers_for(survey, 1 + i % 5, 0, f"SECRET{i}")
        )
    assert PendingBallot.objects.filter(survey=survey).count() == BATCH - 1
    assert not AnonymousAnswer.objects.exists()
    raw = b"".join(bytes(b.sealed) for b in PendingBallot.objects.all())
    assert b"SECRET" not in raw
    services.survey_respond(actor=people[-1], survey=survey, answers=answers_for(survey, 5, 1))
    assert not PendingBallot.objects.exists()
    assert AnonymousAnswer.objects.filter(survey=survey).values("response").distinct().count() == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM community_anonymousanswer WHERE text IS NOT NULL")
        stored = b"".join(bytes(row[0]) for row in cursor.fetchall())
    assert stored and b"SECRET" not in stored
    assert SurveyCompletion.objects.filter(survey=survey).count() == BATCH


def test_batch_order_does_not_follow_the_order_of_answering(personas):
    """Over many batches, the first respondent's answer is not always written first."""
    firsts = set()
    people = members(personas, BATCH)
    for round_ in range(6):
        survey = services.survey_create(
            actor=personas.coordinator,
            program=personas.program,
            title=f"r{round_}",
            mode="anonymous",
            questions=[QUESTIONS[0]],
        )
        for level, person in enumerate(people, start=1):
            q = str(survey.questions.get().public_id)
            services.survey_respond(actor=person, survey=survey, answers={q: level})
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT scale FROM community_anonymousanswer WHERE survey_id = %s", [survey.pk]
            )
            firsts.add(cursor.fetchone()[0])
    assert len(firsts) > 1


def test_each_person_answers_once_members_only_while_open(personas):
    survey = make_survey(personas)
    services.survey_respond(actor=personas.cara, survey=survey, answers=answers_for(survey, 4, 2))
    with pytest.raises(Conflict):
        services.survey_respond(
            actor=personas.cara, survey=survey, answers=answers_for(survey, 4, 2)
        )
    for stranger in (personas.outsider, personas.auditor):
        with pytest.raises(NotFound):
            services.survey_respond(
                actor=stranger, survey=survey, answers=answers_for(survey, 1, 0)
            )
    with pytest.raises(ValidationFailed):
        services.survey_respond(
            actor=personas.dev, survey=survey, answers=answers_for(survey, 9, 0)
        )
    with pytest.raises(ValidationFailed):
        services.survey_respond(actor=personas.dev, survey=survey, answers={"nope": 1})
    with pytest.raises(PermissionDenied):
        services.survey_close(actor=personas.cara, survey=survey)
    services.survey_close(actor=personas.coordinator, survey=survey)
    assert AnonymousAnswer.objects.filter(survey=survey).count() == 2  # released on close
    with pytest.raises(Conflict):
        services.survey_respond(
            actor=personas.dev, survey=survey, answers=answers_for(survey, 1, 0)
        )


# --- results -----------------------------------------------------------------------------------


def test_results_are_k_anonymous_and_never_show_free_text(personas):
    survey = make_survey(personas, mode="confidential")
    people = members(personas, 7)
    choices = [0, 0, 0, 0, 0, 0, 1]  # one person chose "events"
    for person, choice in zip(people, choices, strict=True):
        services.survey_respond(
            actor=person, survey=survey, answers=answers_for(survey, 4, choice, "MY WORDS")
        )
    results = survey_results(viewer=personas.coordinator, survey=survey)
    assert results.respondents == 7
    scale, choice, text = results.questions
    assert choice.table.cells["events"] is None  # one person: hidden
    assert choice.table.cells["meetings"] is None or choice.table.total is None  # and protected
    assert choice.table.cells["goals"] == 0
    assert str(scale.average) == "4.0-4.5"
    assert text.written == 7
    with pytest.raises(PermissionDenied):
        survey_results(viewer=personas.cara, survey=survey)


def test_under_k_respondents_nothing_is_shown(personas):
    survey = make_survey(personas, mode="confidential")
    services.survey_respond(actor=personas.cara, survey=survey, answers=answers_for(survey, 5, 0))
    results = survey_results(viewer=personas.coordinator, survey=survey)
    assert results.respondents is None
    assert all(r.table is None or r.table.suppressed for r in results.questions)
    assert results.questions[0].average is None


def test_confidential_text_is_under_the_respondents_key_and_erased_with_them(personas):
    survey = make_survey(personas, mode="confidential")
    services.survey_respond(
        actor=personas.cara, survey=survey, answers=answers_for(survey, 2, 1, "I struggle")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM community_confidentialanswer WHERE text IS NOT NULL")
        assert b"struggle" not in bytes(cursor.fetchone()[0])
    assert ConfidentialAnswer.objects.get(question__kind="text").text == "I struggle"
    from mentorhaven.community.export import completion_rows, confidential_rows
    from mentorhaven.privacy.export.registry import ExportContext

    rows = list(confidential_rows(ExportContext(user=personas.cara)))
    assert {r["text"] for r in rows} >= {"I struggle"}
    assert len(list(completion_rows(ExportContext(user=personas.cara)))) == 1
    counts = services.survey_answers_erase(user=personas.cara)
    assert counts == {"confidential_answers": 3, "completions": 1}


def test_survey_modes_are_stated_on_the_answer_page(client, personas):
    anonymous, confidential = make_survey(personas), make_survey(personas, mode="confidential")
    client.force_login(personas.cara)
    page = client.get(f"/surveys/{anonymous.public_id}/").content.decode()
    assert "This survey is anonymous" in page
    page = client.get(f"/surveys/{confidential.public_id}/").content.decode()
    assert "This survey is confidential" in page
    q = {q.kind: str(q.public_id) for q in anonymous.questions.all()}
    answer = client.post(f"/surveys/{anonymous.public_id}/", {f"q-{q['scale']}": "3"})
    assert answer.status_code == 302
    assert SurveyCompletion.objects.filter(user=personas.cara, survey=anonymous).exists()
    assert client.get(f"/surveys/{anonymous.public_id}/results/").status_code == 403
    client.force_login(personas.outsider)
    assert client.get(f"/surveys/{anonymous.public_id}/").status_code == 404


def test_survey_api(client, personas, bearer):
    body = {"title": "End of cycle", "mode": "anonymous", "questions": QUESTIONS}
    made = client.post(
        "/api/v1/programs/demo-2026/surveys",
        body,
        content_type="application/json",
        headers=bearer(personas.coordinator),
    )
    assert made.status_code == 201, made.content
    survey = made.json()
    assert (
        client.post(
            "/api/v1/programs/demo-2026/surveys",
            body,
            content_type="application/json",
            headers=bearer(personas.cara),
        ).status_code
        == 403
    )
    listed = client.get("/api/v1/programs/demo-2026/surveys", headers=bearer(personas.cara))
    assert [s["id"] for s in listed.json()] == [survey["id"]]
    scale = survey["questions"][0]["id"]
    answered = client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        {"answers": {scale: 4}},
        content_type="application/json",
        headers=bearer(personas.cara),
    )
    assert answered.status_code == 201
    results = client.get(
        f"/api/v1/surveys/{survey['id']}/results", headers=bearer(personas.coordinator)
    )
    assert results.status_code == 200 and results.json()["respondents"] is None
    for path in (f"/api/v1/surveys/{survey['id']}/results", "/api/v1/programs/demo-2026/surveys"):
        assert client.get(path, headers=bearer(personas.outsider)).status_code == 404
    assert Survey.objects.count() == 1
