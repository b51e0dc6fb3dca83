"""Sensitive answers count for matching only with explicit consent to matching with sensitive
answers (the consent app); withdrawing it deletes the answers and removes them from the very
next match."""

from __future__ import annotations

import pytest

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.services import consent_withdraw
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import Answer
from mentorhaven.matching.services import match_run_create

from .conftest import events, fill

pytestmark = pytest.mark.django_db


def withdraw(user) -> bool:
    return consent_withdraw(
        actor=user, purpose=Purpose.MATCHING_SENSITIVE, method=Method.PRIVACY_PAGE
    )


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
    """The score matching chooses with (never stored or shown: admins see the shown score)."""
    data = load_program(p.program, reader=p.coordinator, purpose="Run matching for a program")
    scored = scoring.score_one(data, p.cara.pk, p.ana.pk)
    assert scored is not None
    return scored.score


def test_the_score_an_admin_sees_is_the_same_with_or_without_consent(cara_and_ana):
    p = cara_and_ana
    before = match_run_create(actor=p.coordinator, program=p.program).pairs.get(mentee=p.cara)
    withdraw(p.cara)
    after = match_run_create(actor=p.coordinator, program=p.program).pairs.get(mentee=p.cara)
    assert before.score == after.score == pytest.approx(1 / 2)  # topics 1, industry 0


def test_withdrawing_consent_changes_the_next_runs_score(cara_and_ana, questionnaire):
    p = cara_and_ana
    before = _cara_score(p)
    # topics 1, industry 0, gender 1 (weight 5): (1 + 0 + 5) / 7
    assert before == pytest.approx(6 / 7)
    withdraw(p.cara)
    after = _cara_score(p)
    assert after == pytest.approx(1 / 2)  # the gender answer no longer counts


def test_one_sided_consent_is_not_enough(cara_and_ana, questionnaire):
    p = cara_and_ana
    withdraw(p.ana)
    assert _cara_score(p) == pytest.approx(1 / 2)


def test_the_adapter_never_passes_an_unconsented_sensitive_answer(cara_and_ana, questionnaire):
    p = cara_and_ana
    gender = str(questionnaire["gender"].public_id)
    withdraw(p.cara)
    data = load_program(p.program, reader=None, purpose="Run matching for a program")
    cara = data.mentee(p.cara.pk)
    ana = data.mentor(p.ana.pk)
    assert gender not in cara.answers and gender not in cara.consents
    assert ana.answers[gender] == "f" and gender in ana.consents


def test_consent_changes_are_audited_without_content(cara_and_ana, questionnaire):
    p = cara_and_ana
    assert len(events("consent.give")) == 2
    assert withdraw(p.cara) is True
    assert withdraw(p.cara) is False  # no change
    withdrawn = events("consent.withdraw")
    assert len(withdrawn) == 1
    assert withdrawn[0].subject == audit.pseudonym(p.cara)
    assert withdrawn[0].extra["purpose"] == "matching_sensitive"
    assert withdrawn[0].extra["answers_deleted"] == 1
    assert "f" not in withdrawn[0].extra.values()


def test_explanations_never_mention_a_sensitive_question(cara_and_ana):
    p = cara_and_ana
    run = match_run_create(actor=p.coordinator, program=p.program)
    texts = " ".join(f["text"] for f in run.pairs.get(mentee=p.cara).factors)
    assert "leadership" in texts
    assert "Gender" not in texts and "both chose: f" not in texts


def test_a_sensitive_answer_without_consent_is_refused_and_not_stored(personas, questionnaire):
    with pytest.raises(ValidationFailed) as refused:
        fill(personas.cara, personas.program, "mentee", questionnaire, gender="f")
    assert refused.value.code == "consent_required"
    assert not Answer.objects.filter(user=personas.cara).exists()


def test_withdrawal_deletes_the_sensitive_answers_only(cara_and_ana, questionnaire):
    p = cara_and_ana
    withdraw(p.cara)
    left = set(Answer.objects.filter(user=p.cara).values_list("question_id", flat=True))
    assert left == {questionnaire["topics"].pk, questionnaire["industry"].pk}
    assert Answer.objects.filter(user=p.ana, question=questionnaire["gender"]).exists()


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
