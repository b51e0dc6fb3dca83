"""Scoring and explanations (pure code: no database)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorhaven.matching import (
    INFEASIBLE,
    Constraints,
    EmbeddingSimilarity,
    Participant,
    Question,
    QuestionKind,
    Role,
    ScoringConfig,
    TfidfSimilarity,
    explain,
    score_matrix,
    score_pair,
)

INDUSTRY = Question("industry", QuestionKind.SINGLE, label="industry")
FOCUS = Question(
    "focus",
    QuestionKind.MULTI,
    label="focus areas",
    weight=2.0,
    option_labels={"lead": "leadership", "change": "career change", "talk": "public speaking"},
)
SENIORITY = Question("seniority", QuestionKind.SCALE, label="seniority", scale_min=1, scale_max=5)
GENDER = Question("gender", QuestionKind.SINGLE, label="gender", sensitive=True)
QUESTIONS = [INDUSTRY, FOCUS, SENIORITY, GENDER]
NO_GOALS = ScoringConfig(goal_weight=0.0, preference_bonus=0.0)


def mentee(pid="cara", **fields) -> Participant:
    return Participant(id=pid, role=Role.MENTEE, **fields)


def mentor(pid="ana", **fields) -> Participant:
    fields.setdefault("capacity", 2)
    return Participant(id=pid, role=Role.MENTOR, **fields)


class WordOverlap:
    """A stand-in TextSimilarity that can be computed pair by pair: shared words / all words."""

    def similarity_matrix(self, left, right):
        out = np.zeros((len(left), len(right)))
        for i, a in enumerate(left):
            for j, b in enumerate(right):
                wa, wb = set(a.split()), set(b.split())
                out[i, j] = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
        return out


# ---------------------------------------------------------------- similarity of answers


def test_single_choice_counts_only_exact_agreement():
    same = score_pair(
        mentee(answers={"industry": "tech"}),
        mentor(answers={"industry": "tech"}),
        [INDUSTRY],
        config=NO_GOALS,
    )
    other = score_pair(
        mentee(answers={"industry": "tech"}),
        mentor(answers={"industry": "law"}),
        [INDUSTRY],
        config=NO_GOALS,
    )
    assert (same, other) == (1.0, 0.0)


def test_multiple_choice_is_shared_options_over_all_options():
    score = score_pair(
        mentee(answers={"focus": {"lead", "change"}}),
        mentor(answers={"focus": {"change", "talk"}}),
        [FOCUS],
        config=NO_GOALS,
    )
    assert score == pytest.approx(1 / 3)


def test_scale_similarity_falls_with_distance_over_the_range():
    score = score_pair(
        mentee(answers={"seniority": 2}),
        mentor(answers={"seniority": 5}),
        [SENIORITY],
        config=NO_GOALS,
    )
    assert score == pytest.approx(1 - 3 / 4)


def test_score_is_the_weighted_mean_of_the_questions_both_answered():
    a = mentee(answers={"industry": "tech", "focus": {"lead"}})
    b = mentor(answers={"industry": "law", "focus": {"lead"}})
    # industry weight 1 disagrees, focus weight 2 agrees fully
    assert score_pair(a, b, QUESTIONS, config=NO_GOALS) == pytest.approx(2 / 3)


def test_an_unanswered_question_neither_helps_nor_hurts():
    a = mentee(answers={"industry": "tech", "seniority": 3})
    b = mentor(answers={"industry": "tech"})
    assert score_pair(a, b, QUESTIONS, config=NO_GOALS) == 1.0


def test_a_question_not_used_for_matching_is_ignored():
    hobby = Question("hobby", QuestionKind.SINGLE, used_for_matching=False)
    a = mentee(answers={"industry": "tech", "hobby": "chess"})
    b = mentor(answers={"industry": "tech", "hobby": "golf"})
    assert score_pair(a, b, [INDUSTRY, hobby], config=NO_GOALS) == 1.0


def test_no_common_ground_scores_zero():
    assert score_pair(mentee(), mentor(), QUESTIONS, config=NO_GOALS) == 0.0


@pytest.mark.parametrize(
    ("question", "answer"),
    [(INDUSTRY, {"tech"}), (FOCUS, "lead"), (SENIORITY, "high"), (SENIORITY, 9)],
)
def test_malformed_answers_are_refused(question, answer):
    with pytest.raises(ValueError, match=question.id):
        score_pair(mentee(answers={question.id: answer}), mentor(), [question])


def test_participants_must_come_in_their_roles():
    with pytest.raises(ValueError, match="not a mentor"):
        score_matrix([mentee()], [mentee("dev")], QUESTIONS)
    with pytest.raises(ValueError, match="appears twice"):
        score_matrix([mentee(), mentee()], [mentor()], QUESTIONS)


# ---------------------------------------------------------------- consent for sensitive questions

CONSENTING_MENTEE = mentee(
    answers={"industry": "tech", "gender": "woman"}, consents=frozenset({"gender"})
)
CONSENTING_MENTOR = mentor(
    answers={"industry": "law", "gender": "woman"}, consents=frozenset({"gender"})
)


def test_a_sensitive_question_counts_when_both_consented():
    score = score_pair(CONSENTING_MENTEE, CONSENTING_MENTOR, QUESTIONS, config=NO_GOALS)
    assert score == pytest.approx(1 / 2)  # industry disagrees, gender agrees


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_withdrawing_consent_removes_the_sensitive_answer_from_the_very_next_score(who):
    withdrawn = replace(
        CONSENTING_MENTEE if who == "mentee" else CONSENTING_MENTOR, consents=frozenset()
    )
    a, b = (withdrawn, CONSENTING_MENTOR) if who == "mentee" else (CONSENTING_MENTEE, withdrawn)
    before = score_matrix([CONSENTING_MENTEE], [CONSENTING_MENTOR], QUESTIONS, config=NO_GOALS)
    after = score_matrix([a], [b], QUESTIONS, config=NO_GOALS)
    assert before[0, 0] == pytest.approx(1 / 2)
    assert after[0, 0] == 0.0  # only the disagreeing industry is left
    assert score_pair(a, b, QUESTIONS, config=NO_GOALS) == 0.0


def test_consent_to_a_question_never_answered_changes_nothing():
    a = replace(CONSENTING_MENTEE, answers={"industry": "tech"})
    assert score_pair(a, CONSENTING_MENTOR, QUESTIONS, config=NO_GOALS) == 0.0


# ---------------------------------------------------------------- goals, preferences, feasibility


def test_goal_text_similarity_joins_the_mean_with_its_weight():
    a = mentee(answers={"industry": "tech"}, goals_text="lead a team")
    b = mentor(answers={"industry": "law"}, goals_text="lead a team")
    config = ScoringConfig(goal_weight=3.0, preference_bonus=0.0)
    scores = score_matrix([a], [b], [INDUSTRY], config=config)
    assert scores[0, 0] == pytest.approx(3 / 4)


def test_a_person_without_goals_gets_no_goal_part_whatever_the_text_model_says():
    class SaysEverythingMatches:
        def similarity_matrix(self, left, right):
            return np.ones((len(left), len(right)))

    a = mentee(answers={"industry": "tech"}, goals_text="  ")
    b = mentor(answers={"industry": "law"}, goals_text="lead a team")
    with_goals = mentee("dev", answers={"industry": "law"}, goals_text="speak well")
    scores = score_matrix(
        [a, with_goals],
        [b],
        [INDUSTRY],
        text_similarity=SaysEverythingMatches(),
        config=ScoringConfig(preference_bonus=0.0),
    )
    assert scores[:, 0].tolist() == [0.0, 1.0]


def test_tfidf_similarity_is_one_for_the_same_goals_and_zero_for_unrelated_ones():
    sim = TfidfSimilarity().similarity_matrix(
        ["grow into a team lead role", "learn cloud infrastructure"],
        ["grow into a team lead role", "improve public speaking"],
    )
    assert sim[0, 0] == pytest.approx(1.0)
    assert sim[1, 1] == 0.0
    assert np.all((sim >= 0) & (sim <= 1))


def test_tfidf_similarity_survives_texts_without_any_usable_word():
    assert TfidfSimilarity().similarity_matrix(["the and"], ["of to"]).tolist() == [[0.0]]


def test_an_embedding_model_plugs_in_through_the_text_similarity_protocol():
    vectors = {"lead": [1.0, 0.0], "speak": [0.0, 1.0], "lead and speak": [1.0, 1.0]}
    embedding = EmbeddingSimilarity(lambda texts: np.array([vectors[t] for t in texts]))
    people = (
        [mentee(goals_text="lead")],
        [mentor(goals_text="speak"), mentor("ben", goals_text="lead and speak")],
    )
    scores = score_matrix(
        *people, [], text_similarity=embedding, config=ScoringConfig(preference_bonus=0.0)
    )
    assert scores[0].tolist() == pytest.approx([0.0, math.sqrt(0.5)])


def test_a_preferred_mentor_gets_the_bonus_and_scores_stay_within_zero_and_one():
    a = mentee(answers={"industry": "tech"})
    same, other = mentor(answers={"industry": "tech"}), mentor("ben", answers={"industry": "law"})
    config = ScoringConfig(goal_weight=0.0, preference_bonus=0.2)
    wanted = Constraints(preferences={"cara": frozenset({"ana", "ben"})})
    plain = score_matrix([a], [same, other], [INDUSTRY], config=config)
    preferred = score_matrix([a], [same, other], [INDUSTRY], config=config, constraints=wanted)
    assert plain[0].tolist() == pytest.approx([1.0, 0.0])
    assert preferred[0].tolist() == pytest.approx([1.0, 0.2])
    half = score_pair(
        mentee(answers={"focus": {"lead", "change"}}),
        mentor(answers={"focus": {"change"}}),
        [FOCUS],
        config=config,
        constraints=wanted,
    )
    assert half == pytest.approx(0.5 + 0.2 * 0.5)  # a fifth of the way from 0.5 to 1


def test_excluded_pairs_and_paused_or_full_mentors_are_infeasible():
    mentors = [mentor("ana"), mentor("ben", paused=True), mentor("eve", capacity=0), mentor("fay")]
    excluded = Constraints(exclusions=frozenset({("cara", "fay")}))
    scores = score_matrix([mentee("cara"), mentee("dev")], mentors, QUESTIONS, constraints=excluded)
    assert np.isneginf(scores).tolist() == [[False, True, True, True], [False, True, True, False]]
    assert score_pair(mentee("cara"), mentors[3], QUESTIONS, constraints=excluded) == INFEASIBLE


# ---------------------------------------------------------------- the matrix agrees with the pair

OPTIONS = ["a", "b", "c", "d"]
WORDS = ["lead", "team", "data", "career", "speak", "plan"]
answers_st = st.fixed_dictionaries(
    {},
    optional={
        "industry": st.sampled_from(OPTIONS),
        "focus": st.frozensets(st.sampled_from(OPTIONS), max_size=3),
        "seniority": st.integers(1, 5),
        "gender": st.sampled_from(OPTIONS),
    },
)


@st.composite
def people(draw, role, prefix, max_size=5):
    size = draw(st.integers(0 if role == Role.MENTEE else 1, max_size))
    return [
        Participant(
            id=f"{prefix}{i}",
            role=role,
            answers=draw(answers_st),
            goals_text=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
            capacity=draw(st.integers(0, 3)),
            paused=draw(st.booleans()),
            consents=draw(st.sampled_from([frozenset(), frozenset({"gender"})])),
        )
        for i in range(size)
    ]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_score_matrix_gives_every_pair_the_score_of_score_pair(data):
    mentees, mentors = data.draw(people(Role.MENTEE, "e")), data.draw(people(Role.MENTOR, "r"))
    pairs = [(e.id, r.id) for e in mentees for r in mentors]
    chosen = data.draw(st.lists(st.sampled_from(pairs), max_size=4)) if pairs else []
    constraints = Constraints(
        exclusions=frozenset(chosen[:2]),
        preferences={e: frozenset({r}) for e, r in chosen[2:]},
    )
    text = WordOverlap()
    scores = score_matrix(
        mentees, mentors, QUESTIONS, constraints=constraints, text_similarity=text
    )
    for i, e in enumerate(mentees):
        for j, r in enumerate(mentors):
            goal = text.similarity_matrix([e.goals_text], [r.goals_text])[0, 0]
            expected = score_pair(e, r, QUESTIONS, goal_similarity=goal, constraints=constraints)
            assert scores[i, j] == pytest.approx(expected)
            assert expected == INFEASIBLE or 0.0 <= expected <= 1.0


# ---------------------------------------------------------------- explanations


def test_explanation_names_the_shared_choices_in_plain_words():
    a = mentee(answers={"focus": {"lead", "change", "talk"}, "industry": "tech"})
    b = mentor(answers={"focus": {"lead", "change"}, "industry": "tech"})
    texts = [f.text for f in explain(a, b, QUESTIONS)]
    assert texts == ["both chose: career change, leadership", "both chose: tech"]


def test_explanation_mentions_similar_goals_close_scales_and_a_preference():
    a = mentee(answers={"seniority": 4}, goals_text="grow into a team lead role")
    b = mentor(answers={"seniority": 4}, goals_text="grow into a team lead role quickly")
    wanted = Constraints(preferences={"cara": frozenset({"ana"})})
    factors = explain(a, b, QUESTIONS, constraints=wanted)
    assert [f.code for f in factors] == ["preferred", "similar_scale", "similar_goals"]
    assert factors[1].text == "similar answers on: seniority"
    assert factors[2].text == "similar goals"


def test_explanation_leaves_out_what_is_not_shared_and_keeps_the_limit():
    a = mentee(answers={"industry": "tech", "seniority": 1, "focus": {"lead"}})
    b = mentor(answers={"industry": "law", "seniority": 5, "focus": {"talk"}})
    assert explain(a, b, QUESTIONS) == []
    many = [Question(f"q{i}", QuestionKind.SINGLE) for i in range(5)]
    same = {f"q{i}": "x" for i in range(5)}
    assert len(explain(mentee(answers=same), mentor(answers=same), many, limit=2)) == 2


# Sensitive values are drawn as unique marker tokens so a leak would show up in the text.
secret_st = st.text(alphabet="QXZJ", min_size=6, max_size=8).map(lambda s: f"secret{s}")


@settings(max_examples=80, deadline=None)
@given(
    shared=answers_st,
    mentee_secret=secret_st,
    mentor_secret=st.none() | secret_st,  # None: the mentor gave the mentee's answer
    mentee_consents=st.booleans(),
    mentor_consents=st.booleans(),
    goals=st.lists(st.sampled_from(WORDS), max_size=3),
)
def test_no_explanation_ever_reveals_or_depends_on_a_sensitive_answer(
    shared, mentee_secret, mentor_secret, mentee_consents, mentor_consents, goals
):
    mentor_secret = mentor_secret or mentee_secret
    gender = Question(
        "gender",
        QuestionKind.SINGLE,
        label="secretquestion",
        sensitive=True,
        option_labels={mentee_secret: "secretlabel"},
    )
    questions = [INDUSTRY, FOCUS, SENIORITY, gender]
    base = {k: v for k, v in shared.items() if k != "gender"}
    consent = frozenset({"gender"})
    a = mentee(
        answers={**base, "gender": mentee_secret},
        goals_text=" ".join(goals),
        consents=consent if mentee_consents else frozenset(),
    )
    b = mentor(
        answers={**base, "gender": mentor_secret},
        goals_text=" ".join(goals),
        consents=consent if mentor_consents else frozenset(),
    )
    factors = explain(a, b, questions, limit=10)
    for factor in factors:
        lowered = factor.text.lower()
        for hidden in (mentee_secret, mentor_secret, "secretlabel", "secretquestion", "gender"):
            assert hidden.lower() not in lowered
    # The same pair with no sensitive data at all gets exactly the same explanation.
    plain_a, plain_b = (replace(p, answers=base, consents=frozenset()) for p in (a, b))
    assert explain(plain_a, plain_b, questions, limit=10) == factors
