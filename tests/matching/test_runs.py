"""Admin bulk match: run → draft → adjust → publish, with exclusions and the greedy report."""

from __future__ import annotations

import pytest

from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.matching.models import Exclusion, MatchExplanation, MatchPair, MatchRun
from mentorhaven.matching.services import (
    exclusion_add,
    match_pair_add,
    match_pair_remove,
    match_pair_swap,
    match_run_create,
    match_run_discard,
    match_run_publish,
)
from mentorhaven.mentoring.models import Relationship

from .conftest import add_participant, events, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    # Everyone shares "career change"; ana and cara also leadership and finance, ben and dev
    # python and software.
    fill(
        p.ana,
        p.program,
        "mentor",
        q,
        topics=["leadership", "career"],
        industry="finance",
        capacity=1,
    )
    fill(
        p.ben, p.program, "mentor", q, topics=["python", "career"], industry="software", capacity=1
    )
    fill(p.cara, p.program, "mentee", q, topics=["leadership", "career"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["python", "career"], industry="software")
    return p


def _pairs(run):
    return {(pair.mentee_id, pair.mentor_id) for pair in run.pairs.all()}


def test_run_creates_a_draft_with_the_best_pairs_and_their_reasons(filled):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert run.status == MatchRun.Status.DRAFT
    assert _pairs(run) == {(p.cara.pk, p.ana.pk), (p.dev.pk, p.ben.pk)}
    cara_pair = run.pairs.get(mentee=p.cara)
    assert any("leadership" in f["text"] for f in cara_pair.factors)
    assert run.coverage == 1.0 and run.total == pytest.approx(2.0)
    assert run.greedy_total <= run.total + 1e-9
    assert events("matching.run_create")[-1].extra["pairs"] == 2
    assert not Relationship.objects.exists()  # a draft proposes nothing yet


def test_run_beats_greedy_where_greedy_blocks_the_better_total(personas, questionnaire):
    p, q = personas, questionnaire
    # cara fits ana perfectly, so greedy pairs them first; dev may not have ben (her manager),
    # so greedy strands dev. The optimum gives ana to dev and ben to cara.
    fill(
        p.ana,
        p.program,
        "mentor",
        q,
        topics=["leadership", "python"],
        industry="finance",
        capacity=1,
    )
    fill(p.ben, p.program, "mentor", q, topics=["career"], industry="finance", capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership", "python"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["python"], industry="finance")
    exclusion_add(
        actor=p.coordinator,
        program=p.program,
        person=p.dev,
        other=p.ben,
        kind=Exclusion.Kind.MANAGER,
    )
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert run.total == pytest.approx(1.25) and run.greedy_total == pytest.approx(1.0)
    assert run.coverage == 1.0 and run.greedy_coverage == 0.5


def test_manager_exclusion_and_not_this_person_are_never_matched(filled):
    p = filled
    exclusion_add(
        actor=p.coordinator,
        program=p.program,
        person=p.cara,
        other=p.ana,
        kind=Exclusion.Kind.MANAGER,
    )
    exclusion_add(
        actor=p.dev,
        program=p.program,
        person=p.dev,
        other=p.ben,
        kind=Exclusion.Kind.NOT_THIS_PERSON,
    )
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert _pairs(run) == {(p.cara.pk, p.ben.pk), (p.dev.pk, p.ana.pk)}
    assert events("matching.exclusion_add")[-1].extra["kind"] == "not_this_person"


def test_a_participant_cannot_exclude_on_someone_elses_behalf(filled):
    p = filled
    with pytest.raises(PermissionDenied):
        exclusion_add(
            actor=p.dev,
            program=p.program,
            person=p.cara,
            other=p.ben,
            kind=Exclusion.Kind.NOT_THIS_PERSON,
        )
    with pytest.raises(PermissionDenied):
        exclusion_add(
            actor=p.dev, program=p.program, person=p.dev, other=p.ben, kind=Exclusion.Kind.MANAGER
        )


def test_paused_and_full_mentors_get_nobody(filled):
    p = filled
    fill(p.ben, p.program, "mentor", _q(p), topics=["python"], industry="software", paused=True)
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert {m for _, m in _pairs(run)} == {p.ana.pk}
    assert run.pairs.count() == 1  # ana's capacity is 1


def _q(p):
    from mentorhaven.matching.models import Question

    return {
        "topics": Question.objects.get(prompt="Topics you care about"),
        "industry": Question.objects.get(prompt="Your industry"),
        "gender": Question.objects.get(prompt="Gender"),
    }


def test_swap_remove_and_manual_add_adjust_the_draft(filled):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    first, second = run.pairs.order_by("id")
    match_pair_swap(actor=p.coordinator, pair=first, other=second)
    run.refresh_from_db()
    assert _pairs(run) == {(p.cara.pk, p.ben.pk), (p.dev.pk, p.ana.pk)}
    assert run.total < 2.0  # the swap made the draft worse, and the totals say so
    pair = run.pairs.get(mentee=p.dev)
    match_pair_remove(actor=p.coordinator, pair=pair)
    run.refresh_from_db()
    assert run.coverage == 0.5
    with pytest.raises(ValidationFailed):  # ben's single seat is taken by cara
        match_pair_add(actor=p.coordinator, run=run, mentee=p.dev, mentor=p.ben)
    added = match_pair_add(actor=p.coordinator, run=run, mentee=p.dev, mentor=p.ana)
    assert added.origin == MatchPair.Origin.MANUAL
    assert [e.action for e in events("matching.pair_add")] == ["matching.pair_add"]


def test_manual_pair_refuses_an_excluded_pair(filled):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    match_pair_remove(actor=p.coordinator, pair=run.pairs.get(mentee=p.cara))
    exclusion_add(
        actor=p.coordinator,
        program=p.program,
        person=p.cara,
        other=p.ana,
        kind=Exclusion.Kind.MANAGER,
    )
    with pytest.raises(ValidationFailed):
        match_pair_add(actor=p.coordinator, run=run, mentee=p.cara, mentor=p.ana)


def test_publish_proposes_every_pair_with_its_explanation(filled):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    created = match_run_publish(actor=p.coordinator, run=run)
    assert len(created) == 2
    assert all(r.source == Relationship.Source.ADMIN_MATCH for r in created)
    assert all(r.status == Relationship.Status.PROPOSED and r.respond_by for r in created)
    explanation = MatchExplanation.objects.get(relationship__mentee=p.cara)
    assert any("leadership" in f["text"] for f in explanation.factors)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    assert events("matching.run_publish")[-1].extra["relationships"] == 2
    with pytest.raises(Conflict):
        match_run_publish(actor=p.coordinator, run=run)


def test_publish_is_all_or_nothing(filled):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    # Someone proposes ben ↔ dev by hand in the meantime: the draft's pair now clashes.
    from mentorhaven.mentoring.services import relationship_propose

    relationship_propose(actor=p.coordinator, program=p.program, mentee=p.dev, mentor=p.ben)
    with pytest.raises(Conflict):
        match_run_publish(actor=p.coordinator, run=run)
    assert Relationship.objects.count() == 1
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT


def test_mentees_with_an_open_relationship_and_full_mentors_are_left_out(filled):
    p = filled
    match_run_publish(
        actor=p.coordinator, run=match_run_create(actor=p.coordinator, program=p.program)
    )
    newcomer = add_participant(p, "newcomer@demo.test", "mentee")
    fill(newcomer, p.program, "mentee", _q(p), topics=["leadership"])
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert run.mentees == 1
    assert run.pairs.count() == 0  # both mentors' single seats are taken by open proposals


def test_only_admins_run_publish_or_discard(filled):
    p = filled
    with pytest.raises(PermissionDenied):
        match_run_create(actor=p.ana, program=p.program)
    run = match_run_create(actor=p.coordinator, program=p.program)
    for actor in (p.ana, p.cara, p.outsider):
        with pytest.raises(PermissionDenied):
            match_run_publish(actor=actor, run=run)
    match_run_discard(actor=p.coordinator, run=run)
    with pytest.raises(Conflict):
        match_run_publish(actor=p.coordinator, run=run)


def test_a_program_past_the_dense_limit_is_run_by_blocks_with_its_gap(filled, settings):
    p = filled
    exact = match_run_create(actor=p.coordinator, program=p.program)
    assert exact.method == "exact" and exact.optimality_gap == 0.0
    match_run_discard(actor=p.coordinator, run=exact)
    settings.MATCHING_MAX_DENSE_CELLS = 3  # 2 mentees x 2 mentors is past it
    run = match_run_create(actor=p.coordinator, program=p.program)
    run.refresh_from_db()
    assert run.method == "blocks" and events("matching.run_create")[-1].extra["method"] == "blocks"
    assert run.optimality_gap is not None and 0.0 <= run.optimality_gap <= 1e-3
    assert run.greedy_total is None and run.greedy_coverage is None  # not computed
    assert _pairs(run) == _pairs(exact) and run.total == pytest.approx(exact.total)
    cara_pair = run.pairs.get(mentee=p.cara)
    assert any("leadership" in f["text"] for f in cara_pair.factors)


def test_loading_a_program_takes_as_many_queries_for_ten_people_as_for_four(filled, questionnaire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentorhaven.kernel import vault
    from mentorhaven.matching.adapters import load_program

    def load_counting() -> tuple[int, int]:
        vault.forget_cached_keys()  # every key read from the database again
        with CaptureQueriesContext(connection) as queries:
            data = load_program(filled.program, reader=None, purpose="Run matching")
        return len(queries.captured_queries), sum(len(m.answers) for m in data.mentees)

    four, answered = load_counting()
    assert answered == 4  # cara and dev: topics and industry each
    for n in range(6):
        user = add_participant(filled, f"extra{n}@demo.test", "mentee")
        fill(user, filled.program, "mentee", questionnaire, topics=["python"], goals="lead")
    ten, answered = load_counting()
    assert answered == 4 + 6 and ten == four  # keys unwrapped in one query, not one per person
