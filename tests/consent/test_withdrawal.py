"""Withdrawing consent to matching with sensitive answers deletes those answers and removes
them from every score: draft pairs, suggestions, stored match scores — at once."""

from __future__ import annotations

import pytest

from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import Answer, MatchExplanation
from mentorhaven.matching.scoring import score_one, suggest
from mentorhaven.matching.selectors import suggestions_for
from mentorhaven.matching.services import match_run_create, match_run_publish

from .conftest import events, withdraw

pytestmark = pytest.mark.django_db

PURPOSE = "Run matching for a program"


def test_withdrawal_deletes_the_sensitive_answers_and_rescores_the_draft(matched, questionnaire):
    p = matched
    run = match_run_create(actor=p.coordinator, program=p.program)
    pair = run.pairs.get(mentee=p.cara)
    # Matching chose with topics 1, industry 0, gender 1 (weight 5): (1 + 0 + 5) / 7; the
    # draft keeps only the score admins may see, without the sensitive answer: 1 / 2.
    assert _full_score(p) == pytest.approx(6 / 7)
    assert pair.score == pytest.approx(1 / 2)
    assert withdraw(p.cara)
    assert not Answer.objects.filter(user=p.cara, question=questionnaire["gender"]).exists()
    assert Answer.objects.filter(user=p.cara).count() == 2  # the rest stays
    pair.refresh_from_db()
    run.refresh_from_db()
    assert _full_score(p) == pytest.approx(1 / 2)  # the same pair, scored without the answer
    assert pair.score == pytest.approx(1 / 2) and run.total == pytest.approx(1 / 2)
    (strip,) = events("matching.sensitive_strip")
    assert strip.actor == "system" and strip.extra["pairs_rescored"] == 1


def _full_score(p) -> float:
    scored = score_one(load_program(p.program, reader=None, purpose=PURPOSE), p.cara.pk, p.ana.pk)
    assert scored is not None
    return scored.score


def test_withdrawal_changes_suggestions_at_once(matched):
    p = matched
    before = suggest(
        load_program(p.program, reader=None, purpose=PURPOSE, mentee_ids=[p.cara.pk]), p.cara.pk
    )
    assert before[0].score == pytest.approx(6 / 7)
    withdraw(p.ana)  # the mentor's withdrawal counts too: consent is needed on both sides
    after = suggest(
        load_program(p.program, reader=None, purpose=PURPOSE, mentee_ids=[p.cara.pk]), p.cara.pk
    )
    assert after[0].score == pytest.approx(1 / 2)
    assert suggestions_for(viewer=p.cara, program=p.program)[0].mentor == p.ana


def test_withdrawal_strips_the_stored_score_of_a_published_match(matched):
    p = matched
    run = match_run_create(actor=p.coordinator, program=p.program)
    match_run_publish(actor=p.coordinator, run=run)
    explanation = MatchExplanation.objects.get(mentee=p.cara)
    assert explanation.score == pytest.approx(1 / 2)  # the shown score: no sensitive part
    reasons = explanation.factor_list
    withdraw(p.cara)
    explanation.refresh_from_db()
    assert explanation.score is None
    assert explanation.factor_list == reasons  # the words never named a sensitive answer


def test_the_adapter_no_longer_passes_the_withdrawn_answers(matched, questionnaire):
    p = matched
    gender = str(questionnaire["gender"].public_id)
    withdraw(p.cara)
    cara = load_program(p.program, reader=None, purpose=PURPOSE).mentee(p.cara.pk)
    assert gender not in cara.answers and gender not in cara.consents
