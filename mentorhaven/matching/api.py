"""Matching API: a mentee's suggested mentors, and program-wide match runs for admins.

Anyone who is not a mentee of the program (suggestions) or an admin of it (match runs) gets
404, whether or not the program exists.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut
from mentorhaven.matching import selectors, services
from mentorhaven.matching.access import access_participation, access_program_admin, access_run

router = Router(tags=["matching"])

NOT_FOUND = {404: ErrorOut}


class FactorOut(Schema):
    code: str
    text: str


class SuggestionOut(Schema):
    id: UUID  # the mentor's public id
    display_name: str
    headline: str
    factors: list[FactorOut]


class SuggestionList(Schema):
    items: list[SuggestionOut]


class MatchRunOut(Schema):
    id: UUID
    status: str
    method: str
    created_at: datetime
    mentees: int
    mentors: int
    pairs: int
    total: float
    coverage: float
    greedy_total: float | None  # null when not computed (the block method, large programs)
    greedy_coverage: float | None
    optimality_gap: float | None  # share of the best possible total; 0 proven optimal


def _run(run) -> dict:
    return {
        "id": run.public_id,
        "status": run.status,
        "method": run.method,
        "created_at": run.created_at,
        "mentees": run.mentees,
        "mentors": run.mentors,
        "pairs": run.pairs.count(),
        "total": run.total,
        "coverage": run.coverage,
        "greedy_total": run.greedy_total,
        "greedy_coverage": run.greedy_coverage,
        "optimality_gap": run.optimality_gap,
    }


@router.get(
    "/{uuid:program_id}/suggestions", response={200: SuggestionList, **NOT_FOUND, **AUTH_ERRORS}
)
def suggestions(request, program_id: UUID):
    """Your best available mentors, with the reasons in words (no scores)."""
    program = access_participation(request.auth, program_id, "mentee")
    found = selectors.suggestions_for(viewer=request.auth, program=program)
    return {
        "items": [
            {
                "id": s.mentor.public_id,
                "display_name": s.mentor.name,
                "headline": s.headline,
                "factors": s.factors,
            }
            for s in found
        ]
    }


@router.post(
    "/{uuid:program_id}/match-runs",
    # 409: the program is archived, or pairs form only by mentees' requests in it.
    response={201: MatchRunOut, 409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS},
)
def match_run_create(request, program_id: UUID):
    """Run matching for the program into a draft (program admins only)."""
    program = access_program_admin(request.auth, program_id)
    run = services.match_run_create(actor=request.auth, program=program)
    return Status(201, _run(run))


@router.post(
    "/match-runs/{uuid:run_id}/publish",
    # 409: the run is no longer a draft (published or discarded already).
    response={200: MatchRunOut, 409: ErrorOut, **NOT_FOUND, **AUTH_ERRORS},
)
def match_run_publish(request, run_id: UUID):
    """Publish a draft: every pair becomes a proposed relationship (program admins only)."""
    run = access_run(request.auth, run_id)
    services.match_run_publish(actor=request.auth, run=run)
    run.refresh_from_db()
    return _run(run)
