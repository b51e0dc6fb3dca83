"""Program themes from confidential survey free text: only answers of people who consent, only
groups of at least k, redacted, never quoting; the page says how many answers fed it."""

from __future__ import annotations

import pytest

from mentorhaven.assistant.domain import themes_without_quotes
from mentorhaven.assistant.services import program_themes_suggest
from mentorhaven.community.models import AnonymousAnswer
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.reporting.domain import k_for
from tests.assistant.conftest import agree
from tests.community.test_surveys import answers_for, make_survey, members

ANSWER = (
    "More structured meetings please, my mentor {name} cancels a lot, call me on 0171 234567{i}"
)


def respond(survey, people):
    from mentorhaven.community import services

    for i, person in enumerate(people):
        text = ANSWER.format(name=f"Jonas Weber{i}", i=i)
        services.survey_respond(
            actor=person, survey=survey, answers=answers_for(survey, 4, 0, text)
        )


@pytest.fixture
def confidential(personas):
    return make_survey(personas, mode="confidential")


def text_question(survey):
    return survey.questions.get(kind="text")


def test_themes_need_k_consenting_respondents(ai_on, fake_model, confidential, personas):
    k = k_for(personas.program.settings)
    people = members(personas, k + 2)
    respond(confidential, people)
    for person in people[: k - 1]:
        agree(person)
    with pytest.raises(ValidationFailed) as refused:
        program_themes_suggest(
            actor=personas.coordinator, survey=confidential, question=text_question(confidential)
        )
    assert refused.value.code == "themes_too_few"
    assert fake_model.received == []
    agree(people[k - 1])
    fake_model.reply = '{"points": ["Meetings are often cancelled", "Wish for more structure"]}'
    themes = program_themes_suggest(
        actor=personas.coordinator, survey=confidential, question=text_question(confidential)
    )
    assert themes.responses == k and themes.k == k
    sent = fake_model.received[0].text
    assert sent.count("survey_answers:") == k  # the two who did not consent are left out
    assert "Jonas" not in sent and "0171" not in sent
    assert themes.points == ["Meetings are often cancelled", "Wish for more structure"]
    subjects = {e.subject for e in AuditEvent.objects.filter(action="assistant.program_themes")}
    assert subjects == {audit.pseudonym(p) for p in people[:k]}


def test_a_theme_quoting_an_answer_or_naming_someone_is_dropped():
    answers = ["More structured meetings please, my mentor cancels a lot"]
    points = [
        "structured meetings please, my mentor cancels",  # a quote
        "[NAME_1] cancels meetings",  # a placeholder
        "Meetings are often cancelled",
    ]
    assert themes_without_quotes(points, answers) == ["Meetings are often cancelled"]


def test_placeholders_are_not_restored_for_the_coordinator(
    ai_on, fake_model, confidential, personas
):
    k = k_for(personas.program.settings)
    people = members(personas, k)
    respond(confidential, people)
    for person in people:
        agree(person)
    fake_model.reply = '{"points": ["[NAME_1] cancels", "Cancelled meetings"]}'
    themes = program_themes_suggest(
        actor=personas.coordinator, survey=confidential, question=text_question(confidential)
    )
    assert themes.points == ["Cancelled meetings"]


def test_anonymous_surveys_are_never_sent(ai_on, fake_model, personas):
    survey = make_survey(personas, mode="anonymous")
    with pytest.raises(ValidationFailed):
        program_themes_suggest(
            actor=personas.coordinator, survey=survey, question=text_question(survey)
        )
    assert fake_model.received == []
    assert AnonymousAnswer.objects.count() == 0


def test_only_those_who_run_the_program_may_ask(ai_on, fake_model, confidential, personas):
    with pytest.raises(PermissionDenied):
        program_themes_suggest(
            actor=personas.ana, survey=confidential, question=text_question(confidential)
        )


def test_the_page_says_how_many_answers_fed_it(
    client, login, ai_on, fake_model, confidential, personas
):
    k = k_for(personas.program.settings)
    people = members(personas, k)
    respond(confidential, people)
    for person in people:
        agree(person)
    fake_model.reply = '{"points": ["Cancelled meetings"]}'
    login(personas.coordinator)
    results = client.get(f"/surveys/{confidential.public_id}/results/").content.decode()
    assert "Program themes (AI)" in results
    question = text_question(confidential)
    response = client.post(
        f"/assistant/surveys/{confidential.public_id}/questions/{question.public_id}/themes/"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Machine-written." in html and f"from {k} written answers" in html
    assert "Cancelled meetings" in html
