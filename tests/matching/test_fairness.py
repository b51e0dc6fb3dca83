"""Fairness report: per group of a sensitive attribute, only consenting people, small groups
suppressed."""

from __future__ import annotations

import pytest

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.services import consent_give
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.matching.fairness import counted_shown, fairness_report, group_rows
from mentorhaven.matching.services import match_run_create, match_run_publish

from .conftest import add_participant, events, fill

pytestmark = pytest.mark.django_db


def test_groups_below_the_minimum_size_are_suppressed():
    membership = {1: ["f"], 2: ["f"], 3: ["f"], 4: ["m"], 5: ["x"], 6: ["x"], 7: ["x"], 8: ["x"]}
    rows = group_rows(
        membership,
        matched={1, 2},
        scores={1: [0.5], 2: [1.0]},
        labels={"f": "woman", "m": "man", "x": "another"},
        min_group_size=3,
    )
    # "man" (1) is hidden; alone, the total minus the shown groups would give it away, so the
    # next smallest group ("woman", 3) is hidden too.
    assert [(r.label, r.suppressed, r.members) for r in rows] == [
        ("another", False, 4),
        ("man", True, None),
        ("woman", True, None),
    ]
    assert rows[1].match_rate is None and rows[1].mean_score is None
    assert counted_shown(membership, min_group_size=3) == 8


def test_a_hidden_group_cannot_be_worked_out_from_the_total():
    """The old leak: 5 counted, "woman" 3 shown, "man" hidden → men = 2."""
    membership = {1: ["f"], 2: ["f"], 3: ["f"], 4: ["m"], 5: ["m"]}
    rows = group_rows(
        membership, matched=set(), scores={}, labels={"f": "woman", "m": "man"}, min_group_size=3
    )
    shown = [r.members for r in rows if not r.suppressed]
    total = counted_shown(membership, min_group_size=3)
    assert total is None or len(shown) != len(rows) - 1


def test_shown_groups_keep_their_rates():
    membership = {i: ["f"] for i in range(1, 4)} | {i: ["x"] for i in range(4, 8)}
    rows = group_rows(
        membership,
        matched={1, 2},
        scores={1: [0.5], 2: [1.0]},
        labels={"f": "woman", "x": "another"},
        min_group_size=3,
    )
    woman = next(r for r in rows if r.label == "woman")
    # 2 of 3 matched: only the band of tenths is released, never the exact rate
    assert woman.members == 3
    assert (woman.match_rate.low, woman.match_rate.high) == pytest.approx((0.6, 0.7))
    # two scores from a group of three: fewer than k scores, so no mean is released
    assert woman.mean_score is None
    rows = group_rows(
        membership,
        matched={1, 2, 3},
        scores={1: [0.5], 2: [1.0], 3: [0.8]},
        labels={"f": "woman", "x": "another"},
        min_group_size=3,
    )
    woman = next(r for r in rows if r.label == "woman")
    assert (woman.mean_score.low, woman.mean_score.high) == pytest.approx((0.7, 0.8))


def test_one_more_person_cannot_be_read_off_the_rates():
    """The leak of exact figures: "2 of 3 matched" then "3 of 4" gives the newcomer away. In
    bands, the newcomer moves the rate by at most one band and the band alone says nothing of
    who came in."""
    base = {i: ["f"] for i in range(1, 11)}
    before = group_rows(base, matched=set(range(1, 8)), scores={}, labels={}, min_group_size=5)
    after = group_rows(
        base | {11: ["f"]}, matched=set(range(1, 8)), scores={}, labels={}, min_group_size=5
    )
    assert before[0].match_rate is not None and after[0].match_rate is not None
    assert isinstance(before[0].match_rate.low, float)
    assert abs(before[0].match_rate.low - after[0].match_rate.low) <= 0.1 + 1e-9


@pytest.fixture
def population(personas, questionnaire):
    p, q = personas, questionnaire
    p.program.settings = {"min_group_size": 3}
    p.program.save()
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], capacity=2)
    women = [add_participant(p, f"w{i}@demo.test", "mentee") for i in range(3)]
    men = [add_participant(p, f"m{i}@demo.test", "mentee") for i in range(2)]
    silent = [add_participant(p, f"s{i}@demo.test", "mentee") for i in range(4)]
    # ana's two seats go to the two women who share her topic: the best total.
    for user, topic in zip(women, ["leadership", "leadership", "python"], strict=True):
        fill(user, p.program, "mentee", q, topics=[topic], gender="f", consent=True)
    for user in men:
        fill(user, p.program, "mentee", q, topics=["python"], gender="m", consent=True)
    for user in silent:  # consented to matching, not to analytics: must not be counted anywhere
        fill(user, p.program, "mentee", q, topics=["python"], gender="m", consent=True)
    for user in [*women, *men]:
        consent_give(actor=user, purpose=Purpose.ANALYTICS, method=Method.PRIVACY_PAGE)
    return p


def test_report_counts_only_consenting_people_and_suppresses_small_groups(
    population, questionnaire
):
    p = population
    match_run_publish(
        actor=p.coordinator, run=match_run_create(actor=p.coordinator, program=p.program)
    )
    report = fairness_report(
        viewer=p.coordinator, program=p.program, question=questionnaire["gender"]
    )
    by_label = {r.label: r for r in report.groups}
    assert by_label["m"].suppressed  # 2 < 3, and the non-consenting men do not lift it
    # With two groups, showing the women's 3 and the total 5 would give the men's 2 away: the
    # women are hidden too (the 4 silent men are counted nowhere).
    assert by_label["f"].suppressed
    assert report.counted == 5
    event = events("matching.fairness_report")[-1]
    assert event.extra == {"counted": 5, "groups": 2}


def test_report_is_only_for_sensitive_questions(personas, questionnaire):
    with pytest.raises(ValidationFailed):
        fairness_report(
            viewer=personas.coordinator,
            program=personas.program,
            question=questionnaire["industry"],
        )
