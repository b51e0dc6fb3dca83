"""From the database to the pure matcher's dataclasses, and nothing else.

This is the one place where consent and restriction are applied to matching: a sensitive
answer reaches the domain only when its owner consents *now* to matching with sensitive answers
(``consent.processing``), and a person who restricted processing of their data is left out
altogether. Withdrawing consent records it and deletes the answers, so the very next run,
suggestion list or fairness report no longer sees them. (The domain checks consent again
through ``Participant.consents``; the answer is not even passed without it.)

Free-text questions used for matching add their (non-sensitive) answers to the goals text;
sensitive free text is never used for matching.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from mentorhaven.consent import processing
from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.matching import domain
from mentorhaven.matching.models import (
    Answer,
    Exclusion,
    ParticipantRole,
    Profile,
    Question,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Membership, Program

# People whose keys are unwrapped and whose answers are decrypted together: well under the
# vault's cache of unwrapped keys (``vault.CACHE_MAX_ENTRIES``), so none is evicted before use.
KEY_BATCH = 5_000

DOMAIN_KIND = {
    Question.Kind.SINGLE: domain.QuestionKind.SINGLE,
    Question.Kind.MULTI: domain.QuestionKind.MULTI,
    Question.Kind.SCALE: domain.QuestionKind.SCALE,
}


@dataclass(frozen=True)
class ProgramData:
    """Everything the matcher needs about one program; participant ids are user ids."""

    questions: list[domain.Question]
    mentees: list[domain.Participant]
    mentors: list[domain.Participant]
    constraints: domain.Constraints
    open_load: dict[int, int]  # mentor user id -> open (proposed or active) relationships

    def mentor(self, user_id: int) -> domain.Participant | None:
        return next((p for p in self.mentors if p.id == user_id), None)

    def mentee(self, user_id: int) -> domain.Participant | None:
        return next((p for p in self.mentees if p.id == user_id), None)


def domain_question(question: Question) -> domain.Question:
    return domain.Question(
        id=str(question.public_id),
        kind=DOMAIN_KIND[Question.Kind(question.kind)],
        label=question.prompt,
        weight=question.weight,
        sensitive=question.sensitive,
        used_for_matching=question.used_for_matching and question.audience == "both",
        scale_min=float(question.scale_min),
        scale_max=float(question.scale_max),
        option_labels={str(o["value"]): str(o["label"]) for o in question.options},
    )


def _answer_value(question: Question, raw) -> domain.Answer | None:
    if raw is None or raw == "" or raw == []:
        return None
    if question.kind == Question.Kind.MULTI:
        return frozenset(str(v) for v in raw)
    if question.kind == Question.Kind.SCALE:
        return float(raw)
    return str(raw)


def consented_question_ids(user_ids: Iterable[int], program: Program) -> dict[int, set[int]]:
    """User id -> ids of the program's sensitive questions they consent to use, as of now:
    all of them for those who consent to matching with sensitive answers and have not
    restricted processing, none for everyone else."""
    sensitive = set(
        Question.objects.filter(program=program, sensitive=True).values_list("pk", flat=True)
    )
    consenting = processing.allowed(Purpose.MATCHING_SENSITIVE, user_ids)
    return defaultdict(set, {user_id: set(sensitive) for user_id in consenting})


def open_load(program: Program) -> dict[int, int]:
    rows = (
        Relationship.objects.filter(program=program, status__in=["proposed", "active", "paused"])
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {r["mentor_id"]: r["n"] for r in rows}


def load_program(
    program: Program, *, reader, purpose: str, mentee_ids: Iterable[int] | None = None
) -> ProgramData:
    """The program's questions, participants (with only consented sensitive answers) and
    exclusions. Mentors' capacity is what is left after their open relationships; mentees who
    already have an open relationship are left out. ``mentee_ids`` narrows the mentees.

    Decrypting the answers is a read of them: one event for the whole load, naming everyone
    whose profile was read, with ``reader`` as its actor (None: MentorHaven itself)."""
    questions = list(Question.objects.filter(program=program))
    matchable = [q for q in questions if q.kind in DOMAIN_KIND]
    text_questions = {
        q.pk
        for q in questions
        if q.kind == Question.Kind.TEXT and q.used_for_matching and not q.sensitive
    }
    wanted = set(mentee_ids) if mentee_ids is not None else None
    members = Membership.objects.filter(
        program=program, role__in=[ParticipantRole.MENTEE, ParticipantRole.MENTOR]
    )
    if wanted is not None:  # the given mentees and the mentors, not every mentee
        members = members.filter(Q(role=ParticipantRole.MENTOR) | Q(user_id__in=wanted))
    busy_mentees = set(
        Relationship.objects.filter(
            program=program, status__in=["proposed", "active", "paused"]
        ).values_list("mentee_id", flat=True)
    )
    load = open_load(program)
    members_and_roles = list(members.values_list("user_id", "role"))
    # A person who restricted processing is not matched at all while their dispute is open.
    matchable_people = processing.allowed(processing.MATCHING, {u for u, _ in members_and_roles})
    people = [
        (user_id, role)
        for user_id, role in members_and_roles
        if user_id in matchable_people
        and (
            role == ParticipantRole.MENTOR
            or (user_id not in busy_mentees and (wanted is None or user_id in wanted))
        )
    ]
    profiles_of = Profile.objects.filter(program=program)
    if wanted is not None:
        profiles_of = profiles_of.filter(user_id__in={user_id for user_id, _role in people})
    profiles = {(p.user_id, p.role): p for p in profiles_of}
    consents = consented_question_ids({u for u, _ in people}, program)
    by_question = {q.pk: q for q in questions}
    answers: dict[int, dict[str, domain.Answer]] = defaultdict(dict)
    extra_text: dict[int, list[str]] = defaultdict(list)
    goals_of: dict[int, str] = {}
    read = [profiles[k] for k in people if k in profiles]
    # A batch of people at a time: their keys unwrapped in one query (``vault.subject_secrets``),
    # then their answers and goals decrypted while the keys are cached. One key query per
    # person made loading a 60,000-person program take minutes (bench_match_run.py --case large).
    for at in range(0, len(read), KEY_BATCH):
        batch = read[at : at + KEY_BATCH]
        vault.subject_secrets({p.user_id for p in batch})
        for read_profile in batch:
            written = read_profile.goals
            goals_of[read_profile.pk] = "" if is_unavailable(written) else str(written or "")
        for answer in Answer.objects.filter(profile_id__in=[p.pk for p in batch]):
            question = by_question[answer.question_id]
            if is_unavailable(answer.value):
                continue  # shredded with its owner's key: nothing left to match on
            if question.sensitive and question.pk not in consents.get(answer.user_id, set()):
                continue  # never leaves the database without consent
            if question.pk in text_questions and isinstance(answer.value, str):
                extra_text[answer.profile_id].append(answer.value)
                continue
            if question.kind in DOMAIN_KIND:
                value = _answer_value(question, answer.value)
                if value is not None:
                    answers[answer.profile_id][str(question.public_id)] = value

    mentees: list[domain.Participant] = []
    mentors: list[domain.Participant] = []
    for user_id, role in people:
        profile = profiles.get((user_id, role))
        goals = ""
        person_answers: dict[str, domain.Answer] = {}
        capacity, paused = 1, False
        if profile is not None:
            goals = " ".join([goals_of[profile.pk], *extra_text.get(profile.pk, [])]).strip()
            person_answers = answers.get(profile.pk, {})
            capacity, paused = profile.capacity, profile.paused
        participant = domain.Participant(
            id=user_id,
            role=domain.Role(role),
            answers=person_answers,
            goals_text=goals,
            capacity=max(capacity - load.get(user_id, 0), 0) if role == "mentor" else 1,
            paused=paused,
            consents=frozenset(str(by_question[q].public_id) for q in consents.get(user_id, set())),
        )
        (mentors if role == ParticipantRole.MENTOR else mentees).append(participant)
    audit.record_access(
        viewer=reader,
        subjects=sorted({user_id for user_id, role in people if (user_id, role) in profiles}),
        action="matching.answers_read",
        category="analytical",
        target=program,
        purpose=purpose,
        organization=program.organization_id,
    )
    return ProgramData(
        questions=[domain_question(q) for q in matchable],
        mentees=mentees,
        mentors=mentors,
        constraints=domain.Constraints(exclusions=exclusion_pairs(program)),
        open_load=load,
    )


def exclusion_pairs(program: Program) -> frozenset[tuple[int, int]]:
    """Every excluded pair in both orders, so it binds whoever is mentee and mentor; pairs
    already declined or ended in this program are excluded too (no re-proposing them)."""
    pairs: set[tuple[int, int]] = set()
    for a, b in Exclusion.objects.filter(program=program).values_list("person_id", "other_id"):
        pairs |= {(a, b), (b, a)}
    closed = Relationship.objects.filter(program=program).filter(
        Q(status="declined") | Q(status="ended_early")
    )
    for mentee_id, mentor_id in closed.values_list("mentee_id", "mentor_id"):
        pairs.add((mentee_id, mentor_id))
    return frozenset(pairs)


def factors_json(factors: Iterable[domain.Factor]) -> list[dict[str, str]]:
    return [{"code": f.code, "text": f.text} for f in factors]
