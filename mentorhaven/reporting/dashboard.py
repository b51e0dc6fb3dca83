"""The program health dashboard as released figures: pure, no ORM.

``selectors.program_counts`` reads the raw counts from the database (a fixed number of aggregate
queries); ``health`` turns them into what may be shown, every figure through the reporting rules
of ``domain``: tables of people released with complementary suppression, rates and means only in
bands, trends point by point. ``tests/reporting/test_dashboard_properties.py`` checks with
hypothesis, on random programs, that nothing released describes fewer than ``k`` people and that
no hidden count can be computed from the released ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mentorhaven.reporting.domain import Band, Table, mean_band, rate_band, release, series

EARLIER = "earlier"  # the bucket of relationships started before the trend's first month


@dataclass(frozen=True)
class ProgramCounts:
    """What the database counted for one program (nothing is released yet)."""

    mentees: int = 0
    mentors: int = 0
    statuses: Mapping[str, int] = field(default_factory=dict)  # relationships per status
    matched_mentees: int = 0  # distinct mentees with a relationship that started
    pairs: int = 0  # relationships that started
    meetings_held: int = 0
    goals: int = 0
    goals_done: int = 0
    goal_owners: int = 0
    rating_sum: int = 0
    ratings: int = 0
    raters: int = 0
    # month label ("2026-01") → relationships started that month; EARLIER for older ones; the
    # values add up to ``pairs``.
    started_by_month: Mapping[str, int] = field(default_factory=dict)
    # month label → distinct pairs with a meeting held that month (a pair counts in many months).
    pairs_met_by_month: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Trend:
    key: str
    points: list[tuple[str, int | None]]  # (month label, count or None when hidden)


@dataclass(frozen=True)
class Health:
    k: int
    participants: Table
    relationships: Table
    match_rate: Band | None
    meetings_per_pair: Band | None
    goal_completion: Band | None
    satisfaction: Band | None
    trends: list[Trend]

    @property
    def active(self) -> int | None:
        return None if self.relationships.suppressed else self.relationships.cells.get("active")


def health(counts: ProgramCounts, *, k: int, months: list[str]) -> Health:
    """The dashboard of ``counts`` as it may be shown to a viewer whose ``k`` is ``k``;
    ``months`` are the trend's labels, oldest first."""
    participants = release({"mentee": counts.mentees, "mentor": counts.mentors}, k=k)
    relationships = release(dict(counts.statuses), k=k)
    started = release(
        {EARLIER: counts.started_by_month.get(EARLIER, 0)}
        | {m: counts.started_by_month.get(m, 0) for m in months},
        k=k,
    )
    # The started pairs add up to a figure the status table gives away (the relationships that
    # started), so a trend whose total ``release`` would withhold is not shown at all.
    started_hidden = started.suppressed or started.total is None
    met = series({m: counts.pairs_met_by_month.get(m, 0) for m in months}, k=k)
    return Health(
        k=k,
        participants=participants,
        relationships=relationships,
        match_rate=rate_band(counts.matched_mentees, counts.mentees, k=k),
        meetings_per_pair=mean_band(
            counts.meetings_held, counts.pairs, people=counts.pairs, k=k, width=1.0
        ),
        goal_completion=(
            rate_band(counts.goals_done, counts.goals, k=k) if counts.goal_owners >= k else None
        ),
        satisfaction=mean_band(counts.rating_sum, counts.ratings, people=counts.raters, k=k),
        trends=[
            Trend(
                "started",
                [(m, None if started_hidden else started.cells[m]) for m in months],
            ),
            Trend("met", [(m, met[m]) for m in months]),
        ],
    )
