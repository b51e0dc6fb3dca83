"""Matching pages and API: the right people reach them, everyone else gets 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.selectors import has_consent
from mentorhaven.consent.services import consent_give
from mentorhaven.matching.models import Answer, MatchRun, Question
from mentorhaven.mentoring.models import Relationship

from .conftest import add_participant, fill

pytestmark = pytest.mark.django_db


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership", "career"], industry="finance")
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="software")
    fill(p.cara, p.program, "mentee", q, topics=["leadership", "career"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["python"], industry="software")
    return p


def _url(name, **kw):
    return reverse(name, kwargs=kw)


def test_admin_adds_a_question_on_the_editor(personas, login, client):
    login(personas.coordinator)
    url = _url("matching_questions", program_id=personas.program.public_id)
    response = client.post(
        url,
        {
            "prompt": "Gender",
            "kind": "single",
            "audience": "both",
            "options": "f\nm\nx",
            "scale_min": 1,
            "scale_max": 5,
            "category": "personal",
            "weight": 1,
            "used_for_matching": "on",
            "sensitive": "on",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.sensitive and question.option_values == ["f", "m", "x"]
    page = client.get(url)
    assert b"Gender" in page.content
    _no_inline_code(page.content.decode())


@pytest.mark.parametrize("who", ["ana", "cara", "outsider", "auditor"])
def test_admin_pages_are_404_for_everyone_else(filled, login, client, who):
    p = filled
    run = MatchRun.objects.create(program=p.program, method="exact")
    login(getattr(p, who))
    for url in (
        _url("matching_questions", program_id=p.program.public_id),
        _url("matching_runs", program_id=p.program.public_id),
        _url("matching_fairness", program_id=p.program.public_id),
        _url("matching_run", run_id=run.public_id),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("matching_run_publish", run_id=run.public_id)).status_code == 404


def test_participant_fills_in_the_questionnaire_with_one_consent_box_for_sensitive_answers(
    personas, questionnaire, login, client
):
    p, q = personas, questionnaire
    login(p.cara)
    url = _url("matching_questionnaire", program_id=p.program.public_id, role="mentee")
    page = client.get(url).content.decode()
    consent_name = "sensitive_consent"
    assert f'name="{consent_name}"' in page
    assert f'for="id_{consent_name}"' in page  # the box has a label
    _no_inline_code(page)
    response = client.post(
        url,
        {
            "headline": "Analyst",
            "goals": "lead a team",
            f"q_{q['topics'].public_id.hex}": ["leadership"],
            f"q_{q['industry'].public_id.hex}": "finance",
            f"q_{q['gender'].public_id.hex}": "f",
            consent_name: "on",
        },
    )
    assert response.status_code == 302
    assert Answer.objects.filter(user=p.cara).count() == 3
    assert has_consent(p.cara, Purpose.MATCHING_SENSITIVE)
    refused = client.post(url, {f"q_{q['gender'].public_id.hex}": "f"})  # unticked, answered
    assert refused.status_code == 422 and "only with your consent" in refused.content.decode()
    assert has_consent(p.cara, Purpose.MATCHING_SENSITIVE)  # nothing changed
    client.post(url, {f"q_{q['topics'].public_id.hex}": ["leadership"]})  # unticked: withdrawn
    assert not has_consent(p.cara, Purpose.MATCHING_SENSITIVE)
    assert not Answer.objects.filter(user=p.cara, question=q["gender"]).exists()


def test_questionnaire_of_a_role_one_does_not_hold_is_404(personas, questionnaire, login, client):
    login(personas.cara)
    url = _url("matching_questionnaire", program_id=personas.program.public_id, role="mentor")
    assert client.get(url).status_code == 404
    login(personas.outsider)
    url = _url("matching_questionnaire", program_id=personas.program.public_id, role="mentee")
    assert client.get(url).status_code == 404


def test_coordinator_runs_reviews_and_publishes(
    filled, login, client, django_assert_max_num_queries
):
    p = filled
    login(p.coordinator)
    response = client.post(_url("matching_runs", program_id=p.program.public_id))
    run = MatchRun.objects.get()
    assert response["Location"] == _url("matching_run", run_id=run.public_id)
    with django_assert_max_num_queries(20):
        page = client.get(response["Location"])
    html = page.content.decode()
    assert "both chose: career change, leadership" in html
    body = html.split('id="run-body"')[1]
    for jargon in ("greedy", "Greedy", "Method", "exact", "baseline"):
        assert jargon not in body  # plain language only
    assert "Mentees with a mentor" in html and "Average fit" in html
    assert "the best possible overall" in body  # proven optimal, in plain words
    _no_inline_code(html)
    pair = run.pairs.get(mentee=p.dev)
    removed = client.post(
        _url("matching_pair_remove", pair_id=pair.public_id), headers={"HX-Request": "true"}
    )
    body = removed.content.decode()
    assert removed.status_code == 200 and body.startswith('<div id="run-body">')
    assert "1 of 2" in body  # the figures are updated in place
    assert f'id="pair-{pair.public_id}"' not in body
    # Pairing by hand lists the mentors with a free seat, counted only when asked for.
    assert 'name="mentor"' not in body and "add=1" in body
    adding = client.get(_url("matching_run", run_id=run.public_id) + "?add=1").content.decode()
    assert 'name="mentor"' in adding and f"{p.ben.name} (" in adding
    client.post(
        _url("matching_pair_add", run_id=run.public_id),
        {"mentee": str(p.dev.public_id), "mentor": str(p.ben.public_id)},
    )
    assert run.pairs.count() == 2
    publish = _url("matching_run_publish", run_id=run.public_id)
    asked = client.get(publish)  # a confirmation first: nothing is published by opening it
    assert asked.status_code == 200 and "This proposes 2 relationships" in asked.content.decode()
    assert not Relationship.objects.exists()
    client.post(publish)
    assert Relationship.objects.filter(source="admin_match", status="proposed").count() == 2
    assert client.get(publish)["Location"] == _url("matching_run", run_id=run.public_id)


def test_deleting_a_question_asks_first_and_says_how_many_answers_go(filled, login, client):
    p = filled
    question = Question.objects.get(prompt="Your industry")
    login(p.coordinator)
    url = _url("matching_question_delete", question_id=question.public_id)
    asked = client.get(url)
    assert asked.status_code == 200
    assert "4 people have answered it" in asked.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
    assert Answer.objects.filter(question=question).count() == 4
    client.post(url)
    assert not Question.objects.filter(pk=question.pk).exists()
    assert not Answer.objects.filter(question=question).exists()


def test_a_full_or_paused_mentor_is_not_offered_for_pairing_by_hand(
    filled, questionnaire, login, client
):
    p, q = filled, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership", "career"], capacity=1)
    paused = add_participant(p, "paused@demo.test", "mentor")
    fill(paused, p.program, "mentor", q, topics=["python"], paused=True)
    login(p.coordinator)
    client.post(_url("matching_runs", program_id=p.program.public_id))
    run = MatchRun.objects.get()
    pair = run.pairs.get(mentee=p.dev)
    client.post(_url("matching_pair_remove", pair_id=pair.public_id))
    html = client.get(_url("matching_run", run_id=run.public_id) + "?add=1").content.decode()
    offered = re.search(r'<select name="mentor"[^>]*>(.*?)</select>', html, re.S)
    assert offered, "the mentors are offered as a list"
    assert str(p.ben.public_id) in offered.group(1)  # his seat is free again
    assert str(p.ana.public_id) not in offered.group(1)  # full: paired with cara
    assert str(paused.public_id) not in offered.group(1)
    refused = client.post(
        _url("matching_pair_add", run_id=run.public_id),
        {"mentee": str(p.dev.public_id), "mentor": str(p.ana.public_id)},
    )
    assert refused.status_code in (302, 422) and run.pairs.count() == 1


def test_mentee_sees_suggestions_requests_and_then_why(filled, login, client):
    p = filled
    login(p.cara)
    url = _url("matching_suggestions", program_id=p.program.public_id)
    html = client.get(url).content.decode()
    assert "Ana Mentor" in html and "both chose: career change, leadership" in html
    _no_inline_code(html)
    client.post(
        _url("matching_request", program_id=p.program.public_id), {"mentor": str(p.ana.public_id)}
    )
    relationship = Relationship.objects.get(mentee=p.cara)
    assert relationship.source == "self_match"
    assert "waiting for an answer from" in client.get(url).content.decode()
    why = client.get(_url("matching_why", relationship_id=relationship.public_id))
    assert b"both chose: career change, leadership" in why.content
    login(p.dev)
    assert (
        client.get(_url("matching_why", relationship_id=relationship.public_id)).status_code == 404
    )


def test_mentor_sees_and_declines_a_request(filled, login, client):
    p = filled
    from mentorhaven.matching.services import match_request

    relationship = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    login(p.ana)
    html = client.get(_url("matching_requests", program_id=p.program.public_id)).content
    assert b"Cara Mentee" in html and b"both chose" in html
    client.post(_url("matching_request_decline", relationship_id=relationship.public_id))
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.DECLINED


def test_fairness_page_shows_suppression(filled, questionnaire, login, client):
    p = filled
    login(p.coordinator)
    url = _url("matching_fairness", program_id=p.program.public_id)
    html = client.get(url, {"question": str(questionnaire["gender"].public_id)}).content
    assert b"Nobody has consented" in html
    fill(p.cara, p.program, "mentee", questionnaire, gender="f", consent=True)
    html = client.get(url, {"question": str(questionnaire["gender"].public_id)}).content
    assert b"Nobody has consented" in html  # to matching, but not yet to analytics
    consent_give(actor=p.cara, purpose=Purpose.ANALYTICS, method=Method.PRIVACY_PAGE)
    html = client.get(url, {"question": str(questionnaire["gender"].public_id)}).content
    assert b"Not shown: fewer than 10" in html
    assert b"total hidden" in html  # one person: the total would be her group


# --- API -----------------------------------------------------------------------------------------


def _bearer(user):
    _token, secret = api_token_create(actor=user, user=user, name="t", scope="write", days=None)
    return {"Authorization": f"Bearer {secret}"}


def test_api_suggestions_for_a_mentee(filled, client):
    p = filled
    url = f"/api/v1/programs/{p.program.public_id}/suggestions"
    response = client.get(url, headers=_bearer(p.cara))
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["id"] == str(p.ana.public_id)
    assert items[0]["factors"][0]["text"] == "both chose: career change, leadership"
    assert "score" not in items[0]
    for who in (p.ana, p.coordinator, p.outsider):
        assert client.get(url, headers=_bearer(who)).status_code == 404


def test_api_match_run_for_admins_only(filled, client):
    p = filled
    url = f"/api/v1/programs/{p.program.public_id}/match-runs"
    for who in (p.ana, p.cara, p.outsider, p.auditor):
        response = client.post(url, headers=_bearer(who))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = client.post(url, headers=_bearer(p.coordinator))
    assert response.status_code == 201
    body = response.json()
    assert body["pairs"] == 2 and body["coverage"] == 1.0
    assert body["greedy_total"] <= body["total"] + 1e-9
    assert body["method"] == "exact" and body["optimality_gap"] == 0.0
    published = client.post(
        f"/api/v1/programs/match-runs/{body['id']}/publish", headers=_bearer(p.coordinator)
    )
    assert published.json()["status"] == "published"


def test_a_large_program_run_shows_its_bound_in_plain_words(filled, login, client, settings):
    p = filled
    settings.MATCHING_MAX_DENSE_CELLS = 3  # 2 mentees x 2 mentors: the block method
    login(p.coordinator)
    response = client.post(_url("matching_runs", program_id=p.program.public_id))
    run = MatchRun.objects.get()
    assert run.method == "blocks"
    MatchRun.objects.filter(pk=run.pk).update(optimality_gap=0.0007)  # a bound above the result
    body = client.get(response["Location"]).content.decode().split('id="run-body"')[1]
    assert "at most 0.07% below the best possible overall" in body
    for jargon in ("greedy", "Greedy", "Method", "exact", "baseline", "blocks"):
        assert jargon not in body


def test_api_match_run_of_a_large_program_has_no_greedy_figures(filled, client, settings):
    p = filled
    settings.MATCHING_MAX_DENSE_CELLS = 3
    url = f"/api/v1/programs/{p.program.public_id}/match-runs"
    body = client.post(url, headers=_bearer(p.coordinator)).json()
    assert body["method"] == "blocks" and body["pairs"] == 2
    assert body["greedy_total"] is None and body["greedy_coverage"] is None
    assert 0.0 <= body["optimality_gap"] <= 1e-3


def test_run_page_queries_do_not_grow_with_the_number_of_pairs(
    personas, login, client, django_assert_max_num_queries
):
    from mentorhaven.demo import seed_matching_demo
    from mentorhaven.matching.services import match_run_create

    seed_matching_demo()
    run = match_run_create(actor=personas.coordinator, program=personas.program)
    assert run.pairs.count() > 10
    login(personas.coordinator)
    # 21: the navigation counts the person's security notices on every page (one query).
    with django_assert_max_num_queries(21):
        response = client.get(_url("matching_run", run_id=run.public_id))
    assert response.status_code == 200


def test_matching_home_and_hub_link_to_why_each_person_was_matched(filled, login, client):
    p = filled
    from mentorhaven.matching.services import match_request

    relationship = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    login(p.cara)
    home = client.get(_url("matching_home")).content.decode()
    assert _url("matching_hub", program_id=p.program.public_id) in home
    hub = client.get(_url("matching_hub", program_id=p.program.public_id)).content.decode()
    assert _url("matching_why", relationship_id=relationship.public_id) in hub
    assert _url("matching_questions", program_id=p.program.public_id) not in hub
    login(p.outsider)
    assert client.get(_url("matching_hub", program_id=p.program.public_id)).status_code == 404
    assert p.program.name not in client.get(_url("matching_home")).content.decode()


def test_not_this_person_list_is_only_its_owners(filled, login, client):
    from mentorhaven.matching.models import Exclusion

    p = filled
    login(p.cara)
    page = client.get(
        _url("matching_questionnaire", program_id=p.program.public_id, role="mentee")
    ).content.decode()
    # Nobody's name is listed: the person is named by their address, among possible matches.
    assert "Ben Mentor" not in page and "Dev Mentee" not in page
    add = _url("matching_exclusion_add", program_id=p.program.public_id)
    client.post(add, {"person": p.dev.email})  # another mentee: never a match anyway
    assert not Exclusion.objects.exists()
    client.post(add, {"person": p.ben.email.upper()})
    exclusion = Exclusion.objects.get(person=p.cara, other=p.ben)
    remove = _url("matching_exclusion_remove", exclusion_id=exclusion.public_id)
    for who in (p.coordinator, p.dev, p.ben):
        client.logout()
        login(who)
        assert client.post(remove).status_code == 404
    client.logout()
    login(p.cara)
    client.post(remove)
    assert not Exclusion.objects.exists()
