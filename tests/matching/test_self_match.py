"""Mentee self-match: top suggestions with reasons → request → the mentor answers in time,
or the request lapses. Paused and full mentors are never suggested."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.matching.models import Exclusion, MatchExplanation
from mentorhaven.matching.selectors import suggestions_for
from mentorhaven.matching.services import exclusion_add, match_request, requests_lapse
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_accept, relationship_decline

from .conftest import add_participant, events, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(
        p.ana,
        p.program,
        "mentor",
        q,
        topics=["leadership", "career"],
        industry="finance",
        capacity=1,
    )
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="finance", capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership", "career"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["leadership"], industry="finance")
    return p


def _names(p, suggestions):
    return [s.mentor.pk for s in suggestions]


def test_suggestions_are_ranked_and_explained(filled):
    p = filled
    found = suggestions_for(viewer=p.cara, program=p.program)
    assert _names(p, found) == [p.ana.pk, p.ben.pk]
    assert found[0].factors[0]["text"] == "both chose: career change, leadership"


def _numbers(value) -> list:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_participants_see_reasons_in_words_never_a_score(filled, client, login):
    p = filled
    _token, secret = api_token_create(actor=p.cara, user=p.cara, name="t")
    url = f"/api/v1/programs/{p.program.public_id}/suggestions"
    items = client.get(url, headers={"Authorization": f"Bearer {secret}"}).json()["items"]
    assert [i["display_name"] for i in items] == [p.ana.name, p.ben.name]
    assert items[0]["factors"][0]["text"] == "both chose: career change, leadership"
    assert _numbers(items) == []  # no score, rank or weight: only words
    login(p.cara)
    page = client.get(f"/matching/programs/{p.program.public_id}/suggestions/").content.decode()
    assert "both chose: career change, leadership" in page
    assert "score" not in page.lower()


def test_paused_full_and_excluded_mentors_are_not_suggested(filled, questionnaire):
    p = filled
    fill(p.ben, p.program, "mentor", questionnaire, topics=["python"], paused=True)
    match_request(actor=p.dev, program=p.program, mentor=p.ana)  # ana's only seat
    assert suggestions_for(viewer=p.cara, program=p.program) == []
    fill(p.ben, p.program, "mentor", questionnaire, topics=["python"], paused=False)
    exclusion_add(
        actor=p.cara,
        program=p.program,
        person=p.cara,
        other=p.ben,
        kind=Exclusion.Kind.NOT_THIS_PERSON,
    )
    assert suggestions_for(viewer=p.cara, program=p.program) == []


def test_a_request_proposes_a_self_match_with_the_programs_window(filled):
    p = filled
    p.program.settings = {"request_window_days": 3}
    p.program.save()
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        relationship = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    assert relationship.source == Relationship.Source.SELF_MATCH
    assert relationship.status == Relationship.Status.PROPOSED
    assert relationship.respond_by == timezone.datetime(2026, 3, 4, 10, tzinfo=timezone.UTC)
    explanation = MatchExplanation.objects.get(relationship=relationship)
    assert explanation.factors[0]["text"].startswith("both chose")
    assert events("matching.request")[-1].target_id == audit.target_pseudonym(p.cara, relationship)


def test_one_open_request_at_a_time(filled):
    p = filled
    match_request(actor=p.cara, program=p.program, mentor=p.ana)
    with pytest.raises(Conflict):
        match_request(actor=p.cara, program=p.program, mentor=p.ben)
    assert suggestions_for(viewer=p.cara, program=p.program) == []


def test_a_paused_mentor_cannot_be_requested(filled, questionnaire):
    p = filled
    fill(p.ana, p.program, "mentor", questionnaire, paused=True)
    with pytest.raises(ValidationFailed):
        match_request(actor=p.cara, program=p.program, mentor=p.ana)


def test_the_mentor_accepts_or_declines(filled):
    p = filled
    relationship = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    relationship_accept(actor=p.ana, relationship=relationship)
    relationship_accept(actor=p.cara, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ACTIVE
    declined = match_request(actor=p.dev, program=p.program, mentor=p.ben)
    relationship_decline(actor=p.ben, relationship=declined)
    # dev can ask again, but not ben a second time
    assert _names(p, suggestions_for(viewer=p.dev, program=p.program)) == []  # ana is full


def test_unanswered_requests_lapse_after_the_window(filled):
    p = filled
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        relationship = match_request(actor=p.cara, program=p.program, mentor=p.ana)
    with time_machine.travel("2026-03-07 10:00Z", tick=False):
        assert requests_lapse() == 0
    with time_machine.travel("2026-03-08 10:01Z", tick=False):
        call_command("match", "lapse")
        assert requests_lapse() == 0  # idempotent
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ENDED_EARLY
    # the seat is free again, and cara may ask someone else
    newcomer = add_participant(p, "new.mentee@demo.test", "mentee")
    assert p.ana.pk in _names(p, suggestions_for(viewer=newcomer, program=p.program))
    assert suggestions_for(viewer=p.cara, program=p.program)
