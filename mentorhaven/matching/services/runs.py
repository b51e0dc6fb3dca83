"""Match runs: a draft computed for a program, adjusted pair by pair, then published or
discarded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.kernel.inventory import Category
from mentorhaven.kernel.models import SubjectKey
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import KEY_BATCH, load_program
from mentorhaven.matching.models import (
    SHOWN_FACTORS,
    MatchExplanation,
    MatchPair,
    MatchRun,
)
from mentorhaven.matching.services._common import _audit, _require_admin, require_runs_open
from mentorhaven.matching.services.requests import request_window
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_propose
from mentorhaven.programs.access import ensure_program_open
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@transaction.atomic
def match_run_create(*, actor: User | None, program: Program, method: str = "auto") -> MatchRun:
    """Score and assign every mentee without an open relationship to mentors with seats left,
    and keep the result as a draft for review. Only consented sensitive answers are used, and
    only for choosing: the scores kept for review leave out sensitive answers and goals.

    A large program (past ``MATCHING_MAX_DENSE_CELLS`` mentees x mentors) is assigned by the
    block method: the run records "blocks", its certified gap to the optimum, and no greedy
    baseline (see ``scoring.run_program``)."""
    if actor is not None:
        _require_admin(actor, program)
    ensure_program_open(program)
    require_runs_open(program)
    data = load_program(program, reader=actor, purpose="Run matching for a program")
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
        optimality_gap=result.optimality_gap,
    )
    # A pair's score and reasons are encrypted under the mentee's key; a mentee whose key was
    # shredded (erased) gets neither: there is nothing of theirs left to explain the pair with.
    erased = set(
        SubjectKey.objects.filter(
            subject_id__in=[p.mentee_id for p in result.pairs], shredded_at__isnull=False
        ).values_list("subject_id", flat=True)
    )
    # A batch of mentees at a time: their keys unwrapped in one query before their pairs are
    # encrypted, rather than one query per mentee (bench_match_run.py --case large).
    for at in range(0, len(result.pairs), KEY_BATCH):
        batch = result.pairs[at : at + KEY_BATCH]
        vault.subject_secrets({p.mentee_id for p in batch if p.mentee_id not in erased})
        MatchPair.objects.bulk_create(
            MatchPair(
                run=run,
                mentee_id=p.mentee_id,
                mentor_id=p.mentor_id,
                score=None if p.mentee_id in erased else p.shown,
                factors=None if p.mentee_id in erased else p.factors,
            )
            for p in batch
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
        raise Conflict(_("This match run is no longer a draft."), code="not_draft")
    ensure_program_open(run.program)  # every change to a draft, its publishing included
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
            _(
                "These two cannot be matched (an exclusion, a paused or full mentor, or not a "
                "participant without a match)."
            ),
            code="infeasible",
        )
    return scored


def _check_capacity(run: MatchRun, data, mentor_id: int) -> None:
    mentor = data.mentor(mentor_id)
    seats = mentor.capacity if mentor is not None and mentor.available else 0
    if run.pairs.filter(mentor_id=mentor_id).count() >= seats:
        raise ValidationFailed(_("This mentor has no seat left in the draft."), code="full")


@transaction.atomic
def match_pair_remove(*, actor: User, pair: MatchPair) -> None:
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
def match_pair_swap(
    *, actor: User, pair: MatchPair, other: MatchPair
) -> tuple[MatchPair, MatchPair]:
    """Exchange the mentors of two pairs of the same draft; both new pairs must be feasible."""
    run = _draft(pair.run)
    _require_admin(actor, run.program)
    if other.run_id != run.pk or other.pk == pair.pk:
        raise ValidationFailed(_("Choose another pair of the same draft."), code="bad_pair")
    data = load_program(run.program, reader=actor, purpose="Review a matching draft")
    first = _pair_or_refuse(data, pair.mentee_id, other.mentor_id)
    second = _pair_or_refuse(data, other.mentee_id, pair.mentor_id)
    for row, scored in ((pair, first), (other, second)):
        row.mentor_id, row.score, row.factors = scored.mentor_id, scored.shown, scored.factors
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
def match_pair_add(*, actor: User, run: MatchRun, mentee, mentor) -> MatchPair:
    """Add a pair by hand: still never an excluded pair, a paused mentor or a full one."""
    run = _draft(run)
    _require_admin(actor, run.program)
    if run.pairs.filter(mentee=mentee).exists():
        raise Conflict(_("This mentee already has a pair in the draft."), code="already_paired")
    data = load_program(run.program, reader=actor, purpose="Review a matching draft")
    scored = _pair_or_refuse(data, mentee.pk, mentor.pk)
    _check_capacity(run, data, mentor.pk)
    pair = MatchPair.objects.create(
        run=run,
        mentee=mentee,
        mentor=mentor,
        score=scored.shown,
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
def match_run_publish(*, actor: User, run: MatchRun) -> list[Relationship]:
    """Turn every pair of the draft into a proposed relationship (source "admin_match"), with
    its explanation kept beside it, all or nothing."""
    run = _draft(run)
    if actor is not None:
        _require_admin(actor, run.program)
    program = run.program
    require_runs_open(program)  # the mode may have changed since the draft was made
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
            factors=_readable_list(pair.factors)[:SHOWN_FACTORS],
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
def match_run_discard(*, actor: User, run: MatchRun) -> MatchRun:
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
