"""``mentorhaven match run --program SLUG [--publish --as EMAIL]``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from mentorhaven.matching.models import MatchRun
from mentorhaven.mentoring.models import Relationship

from .conftest import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], capacity=1)
    fill(p.ben, p.program, "mentor", q, topics=["python"], capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership"])
    fill(p.dev, p.program, "mentee", q, topics=["python"])
    return p


def _run(*args) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_run_keeps_a_draft_and_prints_totals_against_greedy(filled):
    out = _run("run", "--program", "demo-2026")
    assert "total score 2.000, coverage 100.0%" in out
    assert "greedy:  total score 2.000" in out
    assert MatchRun.objects.get().status == MatchRun.Status.DRAFT
    assert not Relationship.objects.exists()


def test_a_large_program_is_run_by_blocks_and_says_greedy_was_not_computed(filled, settings):
    settings.MATCHING_MAX_DENSE_CELLS = 3
    out = _run("run", "--program", "demo-2026")
    assert "(blocks)" in out and "total score 2.000, coverage 100.0%" in out
    assert "greedy:  not computed" in out and "gain over greedy" not in out
    assert "below the best possible overall" in out or "the best possible overall" in out


def test_the_block_method_can_be_asked_for_by_name(filled):
    out = _run("run", "--program", "demo-2026", "--method", "blocks")
    assert "(blocks)" in out and MatchRun.objects.get().method == "blocks"


def test_publish_proposes_relationships_in_the_named_admins_name(filled):
    out = _run("run", "--program", "demo-2026", "--publish", "--as", "coordinator@demo.test")
    assert "published: 2 proposed relationships" in out
    assert set(Relationship.objects.values_list("source", flat=True)) == {"admin_match"}


def test_publish_needs_an_admin(filled):
    with pytest.raises(CommandError):
        _run("run", "--program", "demo-2026", "--publish")
    with pytest.raises(CommandError):
        _run("run", "--program", "demo-2026", "--publish", "--as", "ana.mentor@demo.test")
    assert not Relationship.objects.exists()


def test_unknown_program_is_an_error(db):
    with pytest.raises(CommandError):
        _run("run", "--program", "nope")


def test_demo_matching_content_is_idempotent_and_gives_matching_work(personas):
    from mentorhaven.demo import EXTRA_MENTEES, EXTRA_MENTORS, seed_matching_demo
    from mentorhaven.matching.models import Answer, Question

    seed_matching_demo()
    counts = (Question.objects.count(), Answer.objects.count())
    seed_matching_demo()
    assert (Question.objects.count(), Answer.objects.count()) == counts
    out = _run("run", "--program", "demo-2026")
    run = MatchRun.objects.get()
    assert run.mentees == EXTRA_MENTEES + 2 and run.mentors == EXTRA_MENTORS + 2
    # Totals are in shown scores (no sensitive answers or goals), so the optimum chosen on full
    # scores need not beat greedy on them; coverage is what the run is for.
    assert run.coverage > 0.5
    assert "gain over greedy" in out
