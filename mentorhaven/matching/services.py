"""Every write of the matching app: questionnaires, answers and consent, exclusions, match runs
(draft → adjust → publish), self-match requests and their lapse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.inventory import Category
from mentorhaven.kernel.models import SubjectKey
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import (
    Answer,
    Exclusion,
    MatchExplanation,
    MatchingConsent,
    MatchPair,
    MatchRun,
    ParticipantRole,
    Profile,
    Question,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_end, relationship_propose
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, Program

DEFAULT_REQUEST_WINDOW_DAYS = 7
MAX_OPTIONS = 50
MAX_WEIGHT = 10.0


def _require_admin(actor, program: Program) -> None:
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()


def _require_role(user, program: Program, role: str) -> None:
    if not Membership.objects.filter(program=program, user=user, role=role).exists():
        # No name or address in the message: it may be shown to someone other than ``user``.
        raise ValidationFailed(
            _("This person does not take part in the program in that role."), code="not_a_member"
        )


def _audit(
    action: str,
    *,
    actor,
    program: Program,
    target=None,
    subject=None,
    purpose: str,
    category: str = Category.PROGRAM,
    extra: dict | None = None,
) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=target,
        subject=subject,
        purpose=purpose,
        category=str(category),
        organization=program.organization_id,
        extra=extra,
    )


def request_window(program: Program) -> timedelta:
    return timedelta(
        days=int(program.settings.get("request_window_days", DEFAULT_REQUEST_WINDOW_DAYS))
    )


# --- questionnaires (program admins) -------------------------------------------------------------


def _clean_question(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields["kind"]
    if kind not in Question.Kind.values:
        raise ValidationFailed("Choose a question type.", code="bad_kind")
    if fields.get("audience", "both") not in Question.Audience.values:
        raise ValidationFailed("Choose who answers the question.", code="bad_audience")
    if str(fields.get("category", Category.PROFESSIONAL)) not in Category.__members__.values():
        raise ValidationFailed("Choose a data category.", code="bad_category")
    prompt = str(fields.get("prompt", "")).strip()
    if not prompt or len(prompt) > 300:
        raise ValidationFailed("Write the question (at most 300 characters).", code="bad_prompt")
    fields["prompt"] = prompt
    options: list[dict[str, str]] = []
    for item in fields.get("options") or []:
        value, label = (item, item) if isinstance(item, str) else (item["value"], item["label"])
        value, label = str(value).strip(), str(label).strip()
        if value and value not in [o["value"] for o in options]:
            options.append({"value": value[:80], "label": (label or value)[:120]})
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTI):
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ValidationFailed("A choice question needs 2 to 50 options.", code="bad_options")
    else:
        options = []
    fields["options"] = options
    if kind == Question.Kind.SCALE and not (
        0 <= fields.get("scale_min", 1) < fields.get("scale_max", 5) <= 100
    ):
        raise ValidationFailed("The scale's top must be above its bottom.", code="bad_scale")
    weight = float(fields.get("weight", 1.0))
    if not 0.0 <= weight <= MAX_WEIGHT:
        raise ValidationFailed("The weight must be between 0 and 10.", code="bad_weight")
    fields["weight"] = weight
    if fields.get("sensitive"):
        fields["required"] = False  # sensitive questions are always optional
    return fields


@transaction.atomic
def question_create(*, actor, program: Program, **fields: Any) -> Question:
    _require_admin(actor, program)
    fields = _clean_question(fields)
    position = Question.objects.filter(program=program).count()
    question = Question.objects.create(program=program, position=position, **fields)
    _audit(
        "matching.question_create",
        actor=actor,
        program=program,
        target=question,
        purpose="Questionnaire set-up",
        extra={"sensitive": question.sensitive},
    )
    return question


@transaction.atomic
def question_update(*, actor, question: Question, **fields: Any) -> Question:
    """Change a question. Its kind cannot change once someone has answered it: the stored
    answers would no longer fit."""
    _require_admin(actor, question.program)
    merged = {
        name: getattr(question, name)
        for name in (
            "kind",
            "audience",
            "prompt",
            "options",
            "scale_min",
            "scale_max",
            "category",
            "used_for_matching",
            "weight",
            "sensitive",
            "required",
        )
    }
    merged.update(fields)
    if merged["kind"] != question.kind and question.answers.exists():
        raise Conflict(
            "People have answered this question: its type cannot change.", code="answered"
        )
    for name, value in _clean_question(merged).items():
        setattr(question, name, value)
    question.save()
    if not question.sensitive:
        # Consent rows only mean something for sensitive questions.
        MatchingConsent.objects.filter(question=question).delete()
    _audit(
        "matching.question_update",
        actor=actor,
        program=question.program,
        target=question,
        purpose="Questionnaire set-up",
        extra={"sensitive": question.sensitive},
    )
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    """Delete a question with every answer and consent given to it."""
    _require_admin(actor, question.program)
    program, public_id = question.program, question.public_id
    question.delete()
    _audit(
        "matching.question_delete",
        actor=actor,
        program=program,
        target=("matching.question", public_id),
        purpose="Questionnaire set-up",
    )


# --- profiles, answers and consent (participants) ------------------------------------------------


def _clean_answer(question: Question, raw: Any) -> Any:
    """The value to store, or None for "not answered"."""
    if raw in (None, "", []):
        return None
    if question.kind == Question.Kind.SINGLE:
        if str(raw) not in question.option_values:
            raise ValidationFailed(
                "Choose one of the options.",
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return str(raw)
    if question.kind == Question.Kind.MULTI:
        values = sorted({str(v) for v in (raw if isinstance(raw, list | tuple | set) else [raw])})
        if any(v not in question.option_values for v in values):
            raise ValidationFailed(
                "Choose among the options.",
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return values
    if question.kind == Question.Kind.SCALE:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = None
        if number is None or not question.scale_min <= number <= question.scale_max:
            raise ValidationFailed(
                "Pick a point on the scale.",
                code="bad_answer",
                extra={"question": str(question.public_id)},
            )
        return number
    text = str(raw).strip()
    if len(text) > 2000:
        raise ValidationFailed(
            "Keep the answer under 2,000 characters.",
            code="bad_answer",
            extra={"question": str(question.public_id)},
        )
    return text or None


@transaction.atomic
def consent_set(*, actor, question: Question, given: bool) -> bool:
    """Give or withdraw consent to use one sensitive answer for matching. Returns whether
    anything changed. A withdrawal takes effect for every later run and suggestion at once:
    the adapter reads consent rows each time it loads a program."""
    if not question.sensitive:
        raise ValidationFailed("Only sensitive questions need consent.", code="not_sensitive")
    if not Membership.objects.filter(
        program_id=question.program_id, user=actor, role__in=ParticipantRole.values
    ).exists():
        raise NotFound()
    if given:
        _row, changed = MatchingConsent.objects.get_or_create(user=actor, question=question)
    else:
        changed = MatchingConsent.objects.filter(user=actor, question=question).delete()[0] > 0
    if changed:
        _audit(
            "matching.consent_give" if given else "matching.consent_withdraw",
            actor=actor,
            program=question.program,
            target=question,
            subject=actor,
            purpose="Consent to use a sensitive answer for matching",
        )
    return changed


@transaction.atomic
def questionnaire_submit(
    *,
    actor,
    program: Program,
    role: str,
    answers: Mapping[Question, Any],
    consents: set[int] | None = None,
    headline: str = "",
    goals: str = "",
    capacity: int | None = None,
    paused: bool | None = None,
) -> Profile:
    """Save the participant's profile and answers (encrypted under their key), and set their
    consent for each sensitive question shown (``consents``: ids of the consented ones)."""
    _require_role(actor, program, role)
    questions = {q.pk: q for q in Question.objects.filter(program=program)}
    for question in answers:
        if question.pk not in questions or not question.asks(role):
            raise ValidationFailed(
                "That question is not in your questionnaire.", code="bad_question"
            )
    cleaned = {q: _clean_answer(q, raw) for q, raw in answers.items()}
    missing = [
        q
        for q in questions.values()
        if q.asks(role) and q.required and not q.sensitive and cleaned.get(q) is None
    ]
    if missing:
        raise ValidationFailed(
            "Please answer the required questions.",
            code="required",
            extra={"questions": [str(q.public_id) for q in missing]},
        )
    if len(headline) > 200 or len(goals) > 5000:
        raise ValidationFailed("The headline or goals are too long.", code="too_long")
    profile, _ = Profile.objects.get_or_create(program=program, user=actor, role=role)
    profile.headline = headline.strip() or None  # nothing to encrypt when left empty
    profile.goals = goals.strip() or None
    if role == ParticipantRole.MENTOR:
        if capacity is not None:
            if not 0 <= capacity <= 20:
                raise ValidationFailed("Capacity must be between 0 and 20.", code="bad_capacity")
            profile.capacity = capacity
        if paused is not None:
            profile.paused = paused
    profile.updated_at = timezone.now()
    profile.save()
    existing = {a.question_id: a for a in Answer.objects.filter(profile=profile)}
    for question, value in cleaned.items():
        answer = existing.get(question.pk)
        if value is None:
            if answer is not None:
                answer.delete()
        elif answer is None:
            Answer.objects.create(profile=profile, question=question, user=actor, value=value)
        else:
            answer.value = value
            answer.updated_at = timezone.now()
            answer.save()
    if consents is not None:
        for question in questions.values():
            if question.sensitive and question.asks(role):
                consent_set(actor=actor, question=question, given=question.pk in consents)
    _audit(
        "matching.questionnaire_submit",
        actor=actor,
        program=program,
        target=profile,
        subject=actor,
        purpose="Matching profile",
        category=Category.PERSONAL,
        extra={"answers": sum(v is not None for v in cleaned.values())},
    )
    return profile


# --- exclusions ----------------------------------------------------------------------------------


@transaction.atomic
def exclusion_add(*, actor, program: Program, person, other, kind: str) -> Exclusion:
    """ "Not this person" is added by the participant for themself; a manager pair by an
    admin. Either way the two are never matched in this program, in either direction."""
    if kind == Exclusion.Kind.MANAGER:
        _require_admin(actor, program)
    elif kind == Exclusion.Kind.NOT_THIS_PERSON:
        if actor.pk != person.pk:
            raise PermissionDenied()
    else:
        raise ValidationFailed("Choose the kind of exclusion.", code="bad_kind")
    if person.pk == other.pk:
        raise ValidationFailed("Choose someone else.", code="same_person")
    for user in (person, other):
        if not Membership.objects.filter(
            program=program, user=user, role__in=ParticipantRole.values
        ).exists():
            raise ValidationFailed(
                "Both people must take part in the program.", code="not_a_member"
            )
    exclusion, _ = Exclusion.objects.get_or_create(
        program=program, person=person, other=other, kind=kind, defaults={"created_by": actor}
    )
    _audit(
        "matching.exclusion_add",
        actor=actor,
        program=program,
        target=exclusion,
        subject=person,
        purpose="Keep two people from being matched",
        extra={"kind": kind},
    )
    return exclusion


@transaction.atomic
def exclusion_remove(*, actor, exclusion: Exclusion) -> None:
    program = exclusion.program
    if exclusion.kind == Exclusion.Kind.MANAGER:
        _require_admin(actor, program)
    elif actor.pk != exclusion.person_id:
        raise PermissionDenied()
    public_id, person = exclusion.public_id, exclusion.person
    exclusion.delete()
    _audit(
        "matching.exclusion_remove",
        actor=actor,
        program=program,
        target=("matching.exclusion", public_id),
        subject=person,
        purpose="Keep two people from being matched",
    )


# --- admin bulk match: run → review → adjust → publish -------------------------------------------


@transaction.atomic
def match_run_create(*, actor, program: Program, method: str = "auto") -> MatchRun:
    """Score and assign every mentee without an open relationship to mentors with seats left,
    and keep the result as a draft for review. Only consented sensitive answers are used."""
    if actor is not None:
        _require_admin(actor, program)
    data = load_program(program)
    result = scoring.run_program(data, method=method)  # type: ignore[arg-type]
    run = MatchRun.objects.create(
        program=program,
        created_by=actor,
        method=result.method,
        mentees=len(data.mentees),
        mentors=len(data.mentors),
        total=result.total,
        coverage=result.coverage,
        greedy_total=result.greedy_total,
        greedy_coverage=result.greedy_coverage,
    )
    # A pair's score and reasons are encrypted under the mentee's key; a mentee whose key was
    # shredded (erased) gets neither: there is nothing of theirs left to explain the pair with.
    erased = set(
        SubjectKey.objects.filter(
            subject_id__in=[p.mentee_id for p in result.pairs], shredded_at__isnull=False
        ).values_list("subject_id", flat=True)
    )
    MatchPair.objects.bulk_create(
        MatchPair(
            run=run,
            mentee_id=p.mentee_id,
            mentor_id=p.mentor_id,
            score=None if p.mentee_id in erased else p.score,
            factors=None if p.mentee_id in erased else p.factors,
        )
        for p in result.pairs
    )
    _audit(
        "matching.run_create",
        actor=actor,
        program=program,
        target=run,
        purpose="Program-wide matching",
        category=Category.ANALYTICAL,
        extra={"pairs": len(result.pairs), "method": result.method},
    )
    return run


def _readable_list(value) -> list:
    """A stored list of factors, or nothing when it is erased or unreadable."""
    return list(value) if isinstance(value, list) else []


def _draft(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status != MatchRun.Status.DRAFT:
        raise Conflict("This match run is no longer a draft.", code="not_draft")
    return run


def _refresh_totals(run: MatchRun) -> None:
    # Scores are encrypted per pair: read the (few) pairs of the draft and add them up here.
    scores = [pair.score for pair in run.pairs.all()]
    run.total = float(sum(s for s in scores if isinstance(s, int | float)))
    run.coverage = len(scores) / run.mentees if run.mentees else 0.0
    run.save(update_fields=["total", "coverage"])


def _pair_or_refuse(data, mentee_id: int, mentor_id: int) -> scoring.ScoredPair:
    scored = scoring.score_one(data, mentee_id, mentor_id)
    if scored is None:
        raise ValidationFailed(
            "These two cannot be matched (an exclusion, a paused or full mentor, or not a "
            "participant without a match).",
            code="infeasible",
        )
    return scored


def _check_capacity(run: MatchRun, data, mentor_id: int) -> None:
    mentor = data.mentor(mentor_id)
    seats = mentor.capacity if mentor is not None and mentor.available else 0
    if run.pairs.filter(mentor_id=mentor_id).count() >= seats:
        raise ValidationFailed("This mentor has no seat left in the draft.", code="full")


@transaction.atomic
def match_pair_remove(*, actor, pair: MatchPair) -> None:
    run = _draft(pair.run)
    _require_admin(actor, run.program)
    public_id = pair.public_id
    pair.delete()
    _refresh_totals(run)
    _audit(
        "matching.pair_remove",
        actor=actor,
        program=run.program,
        target=("matching.matchpair", public_id),
        purpose="Review a matching draft",
    )


@transaction.atomic
def match_pair_swap(*, actor, pair: MatchPair, other: MatchPair) -> tuple[MatchPair, MatchPair]:
    """Exchange the mentors of two pairs of the same draft; both new pairs must be feasible."""
    run = _draft(pair.run)
    _require_admin(actor, run.program)
    if other.run_id != run.pk or other.pk == pair.pk:
        raise ValidationFailed("Choose another pair of the same draft.", code="bad_pair")
    data = load_program(run.program)
    first = _pair_or_refuse(data, pair.mentee_id, other.mentor_id)
    second = _pair_or_refuse(data, other.mentee_id, pair.mentor_id)
    for row, scored in ((pair, first), (other, second)):
        row.mentor_id, row.score, row.factors = scored.mentor_id, scored.score, scored.factors
        row.origin = MatchPair.Origin.MANUAL
        row.save()
    _refresh_totals(run)
    _audit(
        "matching.pair_swap",
        actor=actor,
        program=run.program,
        target=pair,
        purpose="Review a matching draft",
        extra={"other": other},  # stored as a keyed pseudonym
    )
    return pair, other


@transaction.atomic
def match_pair_add(*, actor, run: MatchRun, mentee, mentor) -> MatchPair:
    """Add a pair by hand: still never an excluded pair, a paused mentor or a full one."""
    run = _draft(run)
    _require_admin(actor, run.program)
    if run.pairs.filter(mentee=mentee).exists():
        raise Conflict("This mentee already has a pair in the draft.", code="already_paired")
    data = load_program(run.program)
    scored = _pair_or_refuse(data, mentee.pk, mentor.pk)
    _check_capacity(run, data, mentor.pk)
    pair = MatchPair.objects.create(
        run=run,
        mentee=mentee,
        mentor=mentor,
        score=scored.score,
        factors=scored.factors,
        origin=MatchPair.Origin.MANUAL,
    )
    _refresh_totals(run)
    _audit(
        "matching.pair_add",
        actor=actor,
        program=run.program,
        target=pair,
        subject=mentee,
        purpose="Review a matching draft",
    )
    return pair


@transaction.atomic
def match_run_publish(*, actor, run: MatchRun) -> list[Relationship]:
    """Turn every pair of the draft into a proposed relationship (source "admin_match"), with
    its explanation kept beside it, all or nothing."""
    run = _draft(run)
    if actor is not None:
        _require_admin(actor, run.program)
    program = run.program
    respond_by = timezone.now() + request_window(program)
    created = []
    for pair in run.pairs.select_related("mentee", "mentor"):
        relationship = relationship_propose(
            actor=actor if actor is not None else run.created_by,
            program=program,
            mentee=pair.mentee,
            mentor=pair.mentor,
            source=Relationship.Source.ADMIN_MATCH,
            respond_by=respond_by,
        )
        MatchExplanation.objects.create(
            relationship=relationship,
            mentee=pair.mentee,
            factors=_readable_list(pair.factors),
            score=pair.score if isinstance(pair.score, int | float) else None,
        )
        created.append(relationship)
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    _audit(
        "matching.run_publish",
        actor=actor,
        program=program,
        target=run,
        purpose="Program-wide matching",
        category=Category.ANALYTICAL,
        extra={"relationships": len(created)},
    )
    return created


@transaction.atomic
def match_run_discard(*, actor, run: MatchRun) -> MatchRun:
    run = _draft(run)
    _require_admin(actor, run.program)
    run.status = MatchRun.Status.DISCARDED
    run.save(update_fields=["status"])
    _audit(
        "matching.run_discard",
        actor=actor,
        program=run.program,
        target=run,
        purpose="Program-wide matching",
        category=Category.ANALYTICAL,
    )
    return run


# --- mentee self-match ---------------------------------------------------------------------------


@transaction.atomic
def match_request(*, actor, program: Program, mentor) -> Relationship:
    """A mentee asks a suggested mentor. The mentor must be feasible right now (not paused,
    not full, not excluded); the mentor has ``request_window_days`` (default 7) to answer."""
    _require_role(actor, program, ParticipantRole.MENTEE)
    if Relationship.objects.filter(
        program=program, mentee=actor, status__in=["proposed", "active"]
    ).exists():
        raise Conflict("You already have a mentor or a pending request.", code="already_open")
    data = load_program(program)
    scored = scoring.score_one(data, actor.pk, mentor.pk)
    if scored is None:
        raise ValidationFailed("This mentor cannot take a request now.", code="unavailable")
    relationship = relationship_propose(
        actor=actor,
        program=program,
        mentee=actor,
        mentor=mentor,
        source=Relationship.Source.SELF_MATCH,
        respond_by=timezone.now() + request_window(program),
    )
    MatchExplanation.objects.create(
        relationship=relationship, mentee=actor, factors=scored.factors, score=scored.score
    )
    _audit(
        "matching.request",
        actor=actor,
        program=program,
        target=relationship,
        subject=actor,
        purpose="Mentee self-match",
        category=Category.ANALYTICAL,
    )
    return relationship


def requests_lapse(*, now=None) -> int:
    """Policy: a proposal nobody answered by its ``respond_by`` lapses; it ends (reason
    "other", by the system) so the mentee can ask someone else and the mentor's seat frees up.
    Each lapse is its own transaction, so a crash part-way loses nothing; re-running is safe."""
    now = now or timezone.now()
    due = Relationship.objects.filter(
        status=Relationship.Status.PROPOSED, respond_by__isnull=False, respond_by__lt=now
    ).values_list("pk", flat=True)
    lapsed = 0
    for pk in list(due):
        with transaction.atomic():
            relationship = Relationship.objects.select_for_update().get(pk=pk)
            if relationship.status != Relationship.Status.PROPOSED:
                continue
            relationship_end(
                actor=None, relationship=relationship, reason=Relationship.EndReason.OTHER
            )
            lapsed += 1
    return lapsed
