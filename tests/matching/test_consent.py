"""Sensitive answers count for matching only with explicit, per-question consent; withdrawing
it removes the answer from the very next match."""

from __future__ import annotations

import pytest

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.services import consent_set, match_run_create

from .conftest import events, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def cara_and_ana(personas, questionnaire):
    p, q = personas, questionnaire
    fill(
        p.ana,
        p.program,
        "mentor",
        q,
        topics=["leadership"],
        industry="health",
        gender="f",
        consent=True,
    )
    fill(
        p.cara,
        p.program,
        "mentee",
        q,
        topics=["leadership"],
        industry="finance",
        gender="f",
        consent=True,
    )
    return p


def _cara_score(p) -> float:
    run = match_run_create(actor=p.coordinator, program=p.program)
    return run.pairs.get(mentee=p.cara).score


def test_withdrawing_consent_changes_the_next_runs_score(cara_and_ana, questionnaire):
    p = cara_and_ana
    before = _cara_score(p)
    # topics 1, industry 0, gender 1 (weight 5): (1 + 0 + 5) / 7
    assert before == pytest.approx(6 / 7)
    consent_set(actor=p.cara, question=questionnaire["gender"], given=False)
    after = _cara_score(p)
    assert after == pytest.approx(1 / 2)  # the gender answer no longer counts


def test_one_sided_consent_is_not_enough(cara_and_ana, questionnaire):
    p = cara_and_ana
    consent_set(actor=p.ana, question=questionnaire["gender"], given=False)
    assert _cara_score(p) == pytest.approx(1 / 2)


def test_the_adapter_never_passes_an_unconsented_sensitive_answer(cara_and_ana, questionnaire):
    p = cara_and_ana
    gender = str(questionnaire["gender"].public_id)
    consent_set(actor=p.cara, question=questionnaire["gender"], given=False)
    data = load_program(p.program, reader=None, purpose="Run matching for a program")
    cara = data.mentee(p.cara.pk)
    ana = data.mentor(p.ana.pk)
    assert gender not in cara.answers and gender not in cara.consents
    assert ana.answers[gender] == "f" and gender in ana.consents


def test_consent_changes_are_audited_without_content(cara_and_ana, questionnaire):
    p = cara_and_ana
    assert len(events("matching.consent_give")) == 2
    consent_set(actor=p.cara, question=questionnaire["gender"], given=False)
    consent_set(actor=p.cara, question=questionnaire["gender"], given=False)  # no change
    withdrawn = events("matching.consent_withdraw")
    assert len(withdrawn) == 1
    assert withdrawn[0].target_id == audit.target_pseudonym(p.cara, questionnaire["gender"])
    assert "f" not in withdrawn[0].extra.values()


def test_explanations_never_mention_a_sensitive_question(cara_and_ana):
    p = cara_and_ana
    run = match_run_create(actor=p.coordinator, program=p.program)
    texts = " ".join(f["text"] for f in run.pairs.get(mentee=p.cara).factors)
    assert "leadership" in texts
    assert "Gender" not in texts and "both chose: f" not in texts


def test_consent_is_only_for_sensitive_questions_and_participants(personas, questionnaire):
    with pytest.raises(ValidationFailed):
        consent_set(actor=personas.cara, question=questionnaire["industry"], given=True)
    with pytest.raises(NotFound):
        consent_set(actor=personas.outsider, question=questionnaire["gender"], given=True)


def test_a_shredded_participants_answers_no_longer_count(cara_and_ana):
    from mentorhaven.kernel import vault

    p = cara_and_ana
    vault.shred(p.cara)
    vault.forget_cached_keys()
    data = load_program(p.program, reader=None, purpose="Run matching for a program")
    cara = data.mentee(p.cara.pk)
    assert dict(cara.answers) == {} and cara.goals_text == ""
    run = match_run_create(actor=p.coordinator, program=p.program)
    pair = run.pairs.get(mentee=p.cara)
    assert pair.factor_list == [] and pair.score is None
