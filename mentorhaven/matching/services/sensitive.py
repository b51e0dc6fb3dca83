"""Removing a person's sensitive answers, and everything derived from them, when they withdraw
consent to matching with sensitive answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from mentorhaven.kernel.inventory import Category
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import ProgramData, load_program
from mentorhaven.matching.models import Answer, MatchExplanation, MatchPair, MatchRun
from mentorhaven.matching.services._common import _audit
from mentorhaven.matching.services.runs import _refresh_totals
from mentorhaven.matching.suggestions import suggestions_mark_stale

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@transaction.atomic
def sensitive_answers_remove(*, user: User) -> int:
    """Delete every sensitive answer of ``user`` and strip them from every derived figure
    (MentorHaven acts, because the person withdrew consent). Returns the answers deleted.

    * Suggestions and new runs are computed from the stored answers, so they change at once.
    * Pairs of draft runs that involve the person are scored again without the answers (their
      reasons never mention a sensitive question, and are refreshed too).
    * Published matches keep their reasons (which never mention a sensitive question) but lose
      their stored score, which was computed with the answers.
    """
    deleted, _by_model = Answer.objects.filter(user=user, question__sensitive=True).delete()
    suggestions_mark_stale(program=None)
    drafts = (
        MatchPair.objects.filter(run__status=MatchRun.Status.DRAFT)
        .filter(Q(mentee=user) | Q(mentor=user))
        .select_related("run__program")
    )
    by_run: dict[int, list[MatchPair]] = {}
    for pair in drafts:
        by_run.setdefault(pair.run_id, []).append(pair)
    loaded: dict[int, ProgramData] = {}
    for pairs in by_run.values():
        run = pairs[0].run
        if run.program_id not in loaded:
            loaded[run.program_id] = load_program(
                run.program, reader=None, purpose="Rescore a matching draft after a withdrawal"
            )
        data = loaded[run.program_id]
        for pair in pairs:
            scored = scoring.score_one(data, pair.mentee_id, pair.mentor_id)
            pair.score = None if scored is None else scored.shown
            if scored is not None:
                pair.factors = scored.factors
            pair.save(update_fields=["score", "factors"])
        _refresh_totals(run)
        _audit(
            "matching.sensitive_strip",
            actor=None,
            program=run.program,
            target=run,
            subject=user,
            purpose="Sensitive answers removed from a draft after consent was withdrawn",
            category=Category.ANALYTICAL,
            extra={"pairs_rescored": len(pairs)},
        )
    explanations = MatchExplanation.objects.filter(
        Q(relationship__mentee=user) | Q(relationship__mentor=user), score__isnull=False
    )
    for explanation in explanations:
        explanation.score = None
        explanation.save(update_fields=["score"])
    return deleted
