"""Self-match: a mentee asks a mentor directly; unanswered requests lapse."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.kernel.inventory import Category
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import (
    MatchExplanation,
    ParticipantRole,
    WaitlistEntry,
)
from mentorhaven.matching.services._common import (
    DEFAULT_REQUEST_WINDOW_DAYS,
    _audit,
    _require_role,
    require_requests_open,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_end, relationship_propose
from mentorhaven.programs.access import ensure_program_open
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def request_window(program: Program) -> timedelta:
    return timedelta(
        days=int(program.settings.get("request_window_days", DEFAULT_REQUEST_WINDOW_DAYS))
    )


@transaction.atomic
def match_request(*, actor: User, program: Program, mentor) -> Relationship:
    """A mentee asks a suggested mentor. The mentor must be feasible right now (not paused,
    not full, not excluded); the mentor has ``request_window_days`` (default 7) to answer."""
    _require_role(actor, program, ParticipantRole.MENTEE)
    ensure_program_open(program)
    require_requests_open(program)
    if Relationship.objects.filter(
        program=program, mentee=actor, status__in=["proposed", "active", "paused"]
    ).exists():
        raise Conflict(_("You already have a mentor or a pending request."), code="already_open")
    data = load_program(program, reader=None, purpose="Check a mentee's request for a mentor")
    scored = scoring.score_one(data, actor.pk, mentor.pk)
    if scored is None:
        raise ValidationFailed(_("This mentor cannot take a request now."), code="unavailable")
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
    WaitlistEntry.objects.filter(program=program, mentee=actor).delete()  # no longer waiting
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
