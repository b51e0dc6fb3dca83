"""Scores and reasons shown to admins never reveal a sensitive or a free-text answer.

The attack (issue 11): a coordinator invites a mentor account of their own that answers only
one sensitive option, or writes chosen goals, pairs it with each mentee in a draft, and reads
each mentee's answer off the score (1.00 / 0.00) or off a "similar goals" reason. Every figure
an admin can see of a draft must be the same for two mentees who differ only in that answer.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mentorhaven.matching import domain, scoring
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import GOALS_FACTOR, MatchRun
from mentorhaven.matching.services import match_pair_add, match_pair_remove, match_run_create

from .conftest import add_participant, fill

pytestmark = pytest.mark.django_db

ANXIETY = "Support with my anxiety and panic attacks at work"
RUST = "Learn the Rust programming language and systems design"


@pytest.fixture
def planted(personas, questionnaire):
    """Cara and Dev answer every non-sensitive question alike and consent to sensitive
    matching; Cara answered gender "f", Dev "m". The coordinator's own mentor account answered
    only gender "f" and wrote Cara's goals word for word."""
    p, q = personas, questionnaire
    decoy = add_participant(p, "decoy@demo.test", "mentor")
    fill(decoy, p.program, "mentor", q, gender="f", consent=True, goals=ANXIETY, capacity=1)
    common = {"topics": ["career"], "industry": "finance", "consent": True}
    fill(p.cara, p.program, "mentee", q, gender="f", goals=ANXIETY, **common)
    fill(p.dev, p.program, "mentee", q, gender="m", goals=RUST, **common)
    fill(p.ana, p.program, "mentor", q, topics=["career"], industry="finance", capacity=2)
    p.decoy = decoy
    return p


def _probe(p, run: MatchRun, mentee, client) -> dict:
    """Pair ``mentee`` with the decoy, alone in the draft, and collect all the admin sees."""
    for pair in list(run.pairs.all()):
        match_pair_remove(actor=p.coordinator, pair=pair)
    pair = match_pair_add(actor=p.coordinator, run=run, mentee=mentee, mentor=p.decoy)
    run.refresh_from_db()
    html = client.get(reverse("matching_run", kwargs={"run_id": run.public_id})).content.decode()
    row = re.search(rf'<tr id="pair-{pair.public_id}">(.*?)</tr>', html, re.S)
    assert row, "the pair is on the page"
    shown_row = row.group(1).replace(mentee.name, "MENTEE").replace(str(pair.public_id), "PAIR")
    shown_row = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", shown_row)
    figures = re.search(r'<dl class="figures">(.*?)</dl>', html, re.S)
    assert figures
    return {
        "score": pair.score,
        "score_text": pair.score_text,
        "reasons": pair.admin_factor_list,
        "run_total": run.total,
        "average_fit": run.average_fit_text,
        "row": shown_row,
        "figures": figures.group(1),
        "all_reasons": [f["code"] for f in pair.factors],
    }


def test_the_full_score_would_have_told_the_answer(planted):
    """The attack is real: without the shown score the two mentees differ (so the test below
    tests something)."""
    p = planted
    data = load_program(p.program, reader=p.coordinator, purpose="test")
    cara = scoring.score_one(data, p.cara.pk, p.decoy.pk)
    dev = scoring.score_one(data, p.dev.pk, p.decoy.pk)
    assert cara is not None and dev is not None
    assert cara.score > dev.score
    assert cara.shown == dev.shown


def test_a_planted_mentor_reveals_no_sensitive_answer_in_a_draft(planted, client, login):
    p = planted
    login(p.coordinator)
    run = match_run_create(actor=p.coordinator, program=p.program)
    cara, dev = _probe(p, run, p.cara, client), _probe(p, run, p.dev, client)
    for seen in ("score", "score_text", "reasons", "run_total", "average_fit", "row", "figures"):
        assert cara[seen] == dev[seen], seen


def test_a_planted_mentors_goals_reveal_nothing_to_the_admin(planted, client, login):
    p = planted
    login(p.coordinator)
    run = match_run_create(actor=p.coordinator, program=p.program)
    cara, dev = _probe(p, run, p.cara, client), _probe(p, run, p.dev, client)
    # The participants' reasons do mention the goals (kept for the pair, once published)...
    assert GOALS_FACTOR in cara["all_reasons"] and GOALS_FACTOR not in dev["all_reasons"]
    # ...the admin's never do, and show the same for both.
    assert all(f["code"] != GOALS_FACTOR for f in cara["reasons"])
    assert "similar goals" not in cara["row"]
    assert cara["reasons"] == dev["reasons"]


def test_the_api_figures_of_a_run_are_shown_scores(planted):
    p = planted
    run = match_run_create(actor=p.coordinator, program=p.program)
    shown = sum(pair.score for pair in run.pairs.all())
    assert run.total == pytest.approx(shown)


def test_shown_score_leaves_out_sensitive_questions_and_goals():
    topics = domain.Question("topics", domain.QuestionKind.SINGLE)
    gender = domain.Question("gender", domain.QuestionKind.SINGLE, sensitive=True, weight=5)
    questions = [topics, gender]

    def person(pid, role, gender_answer, goals):
        return domain.Participant(
            id=pid,
            role=role,
            answers={"topics": "a", "gender": gender_answer},
            goals_text=goals,
            consents=frozenset({"gender"}),
        )

    mentor = person("m", domain.Role.MENTOR, "f", ANXIETY)
    alike = person("a", domain.Role.MENTEE, "f", ANXIETY)
    unlike = person("b", domain.Role.MENTEE, "m", RUST)
    assert domain.score_pair(alike, mentor, questions, goal_similarity=1.0) > domain.score_pair(
        unlike, mentor, questions, goal_similarity=0.0
    )
    assert domain.shown_score(alike, mentor, questions) == 1.0
    assert domain.shown_score(unlike, mentor, questions) == 1.0
