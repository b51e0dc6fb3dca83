"""Fairness report: per group of a sensitive attribute, only consenting people, small groups
suppressed."""

from __future__ import annotations

import pytest

from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.services import consent_give
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.matching.fairness import fairness_report, group_rows
from mentorhaven.matching.services import match_run_create, match_run_publish

from .conftest import add_participant, events, fill

pytestmark = pytest.mark.django_db


def test_groups_below_the_minimum_size_are_suppressed():
    membership = {1: ["f"], 2: ["f"], 3: ["f"], 4: ["m"]}
    rows = group_rows(
        membership,
        matched={1, 2},
        scores={1: [0.5], 2: [1.0]},
        labels={"f": "woman", "m": "man"},
        min_group_size=3,
    )
    assert [(r.label, r.suppressed, r.members) for r in rows] == [
        ("man", True, None),
        ("woman", False, 3),
    ]
    woman = rows[1]
    assert woman.match_rate == pytest.approx(2 / 3) and woman.mean_score == pytest.approx(0.75)
    assert rows[0].match_rate is None and rows[0].mean_score is None


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
    assert report.counted == 5  # 3 women + 2 men who consented; the 4 silent are left out
    by_label = {r.label: r for r in report.groups}
    assert by_label["m"].suppressed  # 2 < 3, and the non-consenting men do not lift it
    assert by_label["f"].members == 3
    assert by_label["f"].match_rate == pytest.approx(2 / 3)
    assert by_label["f"].mean_score == pytest.approx(1.0)
    event = events("matching.fairness_report")[-1]
    assert event.extra == {"counted": 5, "groups": 2}


def test_report_is_only_for_sensitive_questions(personas, questionnaire):
    with pytest.raises(ValidationFailed):
        fairness_report(
            viewer=personas.coordinator,
            program=personas.program,
            question=questionnaire["industry"],
        )
