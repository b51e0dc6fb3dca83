"""Reads of matching data. Each takes the viewer; callers have passed an ``access_*`` check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.selectors import has_consent
from mentorhaven.gates.access import mentor_is_trained
from mentorhaven.kernel import audit
from mentorhaven.matching import scoring, suggestions
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import (
    Answer,
    Exclusion,
    MatchExplanation,
    MatchPair,
    MatchRun,
    Profile,
    Question,
    WaitlistEntry,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.domain import mentees_request
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def questions_for(*, program: Program, role: str | None = None) -> list[Question]:
    questions = list(Question.objects.filter(program=program))
    return [q for q in questions if role is None or q.asks(role)]


def answer_count(*, question: Question) -> int:
    """How many people answered: a count only, to say what deleting the question deletes."""
    return Answer.objects.filter(question=question).count()


OPEN = ("proposed", "active", "paused")


def mentor_seats(*, program: Program, run: MatchRun | None = None) -> QuerySet:
    """The program's mentors, each with ``capacity``, ``taken`` (open relationships, and pairs
    in ``run`` when given), ``free`` seats and ``paused``: one query whatever the program's size.
    A mentor without a profile has one seat, as in matching (``adapters.load_program``)."""
    mine = Profile.objects.filter(program=program, role="mentor", user=OuterRef("pk"))
    open_count = (
        Relationship.objects.filter(program=program, mentor=OuterRef("pk"), status__in=OPEN)
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    taken: Any = Coalesce(Subquery(open_count), 0)
    if run is not None:
        in_run = (
            MatchPair.objects.filter(run=run, mentor=OuterRef("pk"))
            .values("mentor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        taken = taken + Coalesce(Subquery(in_run), 0)
    return (
        get_user_model()
        .objects.filter(memberships__program=program, memberships__role="mentor")
        .annotate(
            capacity=Coalesce(
                Subquery(mine.values("capacity")[:1]), 1, output_field=IntegerField()
            ),
            paused=Coalesce(Subquery(mine.values("paused")[:1]), Value(False)),
            taken=taken,
        )
        .annotate(free=F("capacity") - F("taken"))
        .order_by("display_name", "email")
    )


def mentors_with_a_free_seat(*, program: Program, run: MatchRun | None = None) -> QuerySet:
    """Mentors who can take one more mentee now (and in ``run``): not paused, a seat free."""
    return mentor_seats(program=program, run=run).filter(paused=False, free__gt=0)


@dataclass
class MyQuestionnaire:
    profile: Profile | None
    questions: list[Question]
    answers: dict[int, Any] = field(default_factory=dict)  # question pk -> stored value
    # Whether the viewer consents to matching with sensitive answers (consent app).
    sensitive_consent: bool = False


def my_questionnaire(*, viewer: User, program: Program, role: str) -> MyQuestionnaire:
    """The viewer's own profile, answers and consent (their own data: no access event)."""
    profile = Profile.objects.filter(program=program, user=viewer, role=role).first()
    answers = {}
    if profile is not None:
        answers = {a.question_id: a.value for a in Answer.objects.filter(profile=profile)}
    questions = questions_for(program=program, role=role)
    consent = has_consent(viewer, Purpose.MATCHING_SENSITIVE)
    return MyQuestionnaire(profile, questions, answers, consent)


SUGGESTIONS = 5  # shown to a mentee, and stored


@dataclass(frozen=True)
class Suggestion:
    mentor: Any  # a User
    headline: str
    factors: list[dict[str, str]]


def suggestions_for(
    *, viewer: User, program: Program, limit: int = SUGGESTIONS
) -> list[Suggestion]:
    """The viewer's (a mentee's) best available mentors with the reasons. No scores: the gap
    between the score and the shown reasons could hint at sensitive answers. Empty while the
    mentee has an open relationship or request.

    Computed from everyone's answers once per change of them (``matching.suggestions``): a
    visit with nothing changed shows the stored result, in a fixed number of queries.

    None at all where the coordinators make every match (the program's matching mode): mentees
    there do not browse mentors."""
    if not mentees_request(program.settings):
        return []

    def compute() -> list[dict[str, Any]]:
        data = load_program(
            program, reader=None, purpose="Suggest mentors to a mentee", mentee_ids=[viewer.pk]
        )
        return [
            {"mentor": p.mentor_id, "factors": p.factors}
            for p in scoring.suggest(data, viewer.pk, limit=limit)
        ]

    picks = (
        suggestions.picks(mentee=viewer, program=program, compute=compute)
        if limit == SUGGESTIONS
        else compute()
    )
    mentor_ids = [int(p["mentor"]) for p in picks]
    users = get_user_model().objects.in_bulk(mentor_ids)
    headlines = {
        profile.user_id: profile.headline or ""
        for profile in Profile.objects.filter(
            program=program, role="mentor", user_id__in=mentor_ids
        )
    }
    shown = [p for p in picks if int(p["mentor"]) in users]  # an erased mentor is gone
    audit.record_access(
        viewer=viewer,
        subjects=[int(p["mentor"]) for p in shown],
        action="matching.suggestions_read",
        category="analytical",
        target=program,
        purpose="Suggest mentors to a mentee",
        actor_role="mentee",
        organization=program.organization_id,
    )
    return [
        Suggestion(users[int(p["mentor"])], headlines.get(int(p["mentor"]), ""), list(p["factors"]))
        for p in shown
    ]


def pending_requests(*, viewer: User, program: Program) -> list[Relationship]:
    """Proposals waiting for the viewer's answer as a mentor. Each carries ``reasons``: why it
    was proposed (derived from the mentee's answers, so a read on the record), or None while
    the mentor's security training is not current — the gate every mentee's data is behind
    (``gates.access``)."""
    pending = list(
        Relationship.objects.filter(
            program=program, mentor=viewer, status=Relationship.Status.PROPOSED
        )
        .select_related("mentee", "match_explanation")
        .order_by("respond_by")
    )
    trained = mentor_is_trained(viewer)
    for relationship in pending:
        explanation = getattr(relationship, "match_explanation", None)
        relationship.reasons = (  # type: ignore[attr-defined]
            (explanation.factor_list if explanation else []) if trained else None
        )
    if trained:
        _record_explanations(viewer, program, [r.mentee_id for r in pending], target=program)
    return pending


def _record_explanations(viewer: User, program: Program, people: list[int], *, target) -> None:
    audit.record_access(
        viewer=viewer,
        subjects=people,
        action="matching.explanation_read",
        category="analytical",
        target=target,
        purpose="See why a match was proposed",
        organization=program.organization_id,
    )


def my_open_relationship(*, viewer: User, program: Program) -> Relationship | None:
    return (
        Relationship.objects.filter(
            program=program, mentee=viewer, status__in=["proposed", "active", "paused"]
        )
        .select_related("mentor", "match_explanation")
        .first()
    )


def my_matches(*, viewer: User, program: Program) -> QuerySet:
    """The viewer's own relationships in the program, either side, with their reasons."""
    return (
        Relationship.objects.filter(program=program)
        .filter(Q(mentee=viewer) | Q(mentor=viewer))
        .select_related("mentee", "mentor")
        .order_by("-proposed_at")
    )


def explanation_for(*, viewer: User, relationship: Relationship) -> list[dict[str, str]]:
    """Why the two were matched: for the two participants (and, via the run pages, admins)."""
    if viewer.pk not in relationship.participant_ids():
        return []
    if viewer.pk == relationship.mentor_id and not mentor_is_trained(viewer):
        return []  # derived from the mentee's answers: behind the training gate
    found = MatchExplanation.objects.filter(relationship=relationship).first()
    if found is None:
        return []
    _record_explanations(
        viewer, relationship.program, list(relationship.participant_ids()), target=relationship
    )
    return found.factor_list


def my_exclusions(*, viewer: User, program: Program) -> QuerySet:
    return Exclusion.objects.filter(
        program=program, person=viewer, kind=Exclusion.Kind.NOT_THIS_PERSON
    ).select_related("other")


def manager_exclusions(*, viewer: User, program: Program) -> QuerySet:
    return Exclusion.objects.filter(program=program, kind=Exclusion.Kind.MANAGER).select_related(
        "person", "other"
    )


def participants(*, program: Program, role: str) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(memberships__program=program, memberships__role=role)
        .order_by("display_name", "email")
    )


def other_participants(*, viewer: User, program: Program) -> QuerySet:
    """People the viewer might be matched with (to pick a "not this person")."""
    roles = set(
        Membership.objects.filter(program=program, user=viewer).values_list("role", flat=True)
    )
    wanted = ({"mentor"} if "mentee" in roles else set()) | (
        {"mentee"} if "mentor" in roles else set()
    )
    return (
        get_user_model()
        .objects.filter(memberships__program=program, memberships__role__in=wanted)
        .exclude(pk=viewer.pk)
        .distinct()
        .order_by("display_name", "email")
    )


def runs_for(*, viewer: User, program: Program) -> QuerySet:
    return MatchRun.objects.filter(program=program).order_by("-created_at")


def run_pairs(*, viewer: User, run: MatchRun) -> QuerySet:
    """A run's pairs. Showing them (scores and reasons) is recorded by ``record_pairs_read``
    for the page actually shown."""
    return MatchPair.objects.filter(run=run).select_related("mentee", "mentor").order_by("id")


def record_pairs_read(*, viewer: User, run: MatchRun, pairs: Iterable[MatchPair]) -> None:
    """One page of a run's pairs seen, with their scores and reasons: one event naming the
    mentees and mentors on it."""
    audit.record_access(
        viewer=viewer,
        subjects=sorted({person for p in pairs for person in (p.mentee_id, p.mentor_id)}),
        action="matching.run_read",
        category="analytical",
        target=run,
        purpose="Review a matching run",
        actor_role="program_admin",
        organization=run.program.organization_id,
    )


def unpaired_mentees(*, viewer: User, run: MatchRun) -> QuerySet:
    busy = Relationship.objects.filter(
        program=run.program, status__in=["proposed", "active", "paused"]
    ).values("mentee_id")
    return (
        participants(program=run.program, role="mentee")
        .exclude(pk__in=MatchPair.objects.filter(run=run).values("mentee_id"))
        .exclude(pk__in=busy)
    )


def programs_for_matching(*, viewer: User) -> QuerySet:
    """Programs where the viewer is a participant or an admin."""
    from mentorhaven.programs.access import administered_programs

    participant = Membership.objects.filter(user=viewer, role__in=["mentee", "mentor"])
    return Program.objects.filter(
        Q(pk__in=participant.values("program_id"))
        | Q(pk__in=administered_programs(viewer).values("pk"))
    )


# --- free seats and the waitlist ---------------------------------------------------------------


def free_seats(*, program: Program) -> int:
    """How many more mentees the program's mentors can take now (not paused, capacity left
    after their open relationships): three queries, whatever the program's size. A mentor who
    has not filled in the questionnaire counts with the default capacity, as matching does."""
    from mentorhaven.matching.adapters import open_load

    mentors = set(
        Membership.objects.filter(program=program, role=Membership.Role.MENTOR).values_list(
            "user_id", flat=True
        )
    )
    profiles = {
        p["user_id"]: p
        for p in Profile.objects.filter(program=program, role="mentor").values(
            "user_id", "capacity", "paused"
        )
    }
    load = open_load(program)
    seats = 0
    for mentor in mentors:
        profile = profiles.get(mentor)
        if profile is not None and profile["paused"]:
            continue
        capacity = profile["capacity"] if profile is not None else 1
        seats += max(capacity - load.get(mentor, 0), 0)
    return seats


def waiting_since(*, viewer: User, program: Program) -> datetime | None:
    """When the viewer joined the program's waitlist, or None."""
    return (
        WaitlistEntry.objects.filter(program=program, mentee=viewer)
        .values_list("created_at", flat=True)
        .first()
    )
