"""The dashboard's released figures on random programs (hypothesis), for each view a program
offers: the program admins' (k = 5 or more) and the organization-wide one (k = 10 or more). The
dashboard has no other filters.

Proved for every random program and view:
* no released count describes fewer than k people (zero describes nobody and is shown);
* a total and the released parts it contains never differ by fewer than k people, and no hidden
  count can be pinned down from them — including the trend of started relationships, whose
  total the status table gives away;
* rates and means appear only as bands, and only over at least k people;
* what the organization-wide view releases, the program admins' view releases identically, so
  the two views together say no more than the program admins' view alone.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mentorhaven.reporting.dashboard import EARLIER, Health, ProgramCounts, health
from mentorhaven.reporting.domain import Table

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
STARTED = ("active", "paused", "completed", "ended_early")
STATUSES = ("proposed", *STARTED, "declined")
small = st.integers(min_value=0, max_value=30)


@st.composite
def programs(draw) -> ProgramCounts:
    statuses = {s: draw(small) for s in STATUSES}
    pairs = sum(statuses[s] for s in STARTED)
    # Spread the started pairs over the months and the earlier bucket.
    buckets = [EARLIER, *MONTHS]
    started = dict.fromkeys(buckets, 0)
    for _ in range(pairs):
        started[draw(st.sampled_from(buckets))] += 1
    mentees = draw(st.integers(min_value=0, max_value=60))
    goals = draw(st.integers(min_value=0, max_value=80))
    ratings = draw(st.integers(min_value=0, max_value=80))
    return ProgramCounts(
        mentees=mentees,
        mentors=draw(small),
        statuses=statuses,
        matched_mentees=draw(st.integers(min_value=0, max_value=mentees)),
        pairs=pairs,
        meetings_held=draw(st.integers(min_value=0, max_value=200)),
        goals=goals,
        goals_done=draw(st.integers(min_value=0, max_value=goals)),
        goal_owners=draw(st.integers(min_value=min(goals, 1), max_value=max(goals, 1))),
        rating_sum=ratings * draw(st.integers(min_value=1, max_value=5)),
        ratings=ratings,
        raters=draw(st.integers(min_value=min(ratings, 1), max_value=max(ratings, 1))),
        started_by_month=started,
        pairs_met_by_month={m: draw(st.integers(min_value=0, max_value=pairs)) for m in MONTHS},
    )


program_k = st.integers(min_value=5, max_value=9)
organization_k = st.integers(min_value=10, max_value=15)


def _check_table(table: Table, truth: dict[str, int], k: int) -> None:
    if sum(truth.values()) < k:
        assert table.suppressed
    if table.suppressed:
        assert table.total is None and all(v is None for v in table.cells.values())
        return
    for label, shown in table.cells.items():
        if shown is not None:
            assert shown == truth[label] and (shown == 0 or shown >= k)
    _check_residual(
        table.total,
        [v for v in table.cells.values() if v is not None],
        [truth[h] for h in table.hidden],
        k,
    )


def _check_residual(total: int | None, shown: list[int], hidden: list[int], k: int) -> None:
    """With the total known, the hidden counts add up to total - shown: that sum is a figure
    too (nobody, or at least k people), and no hidden count may be pinned by it."""
    if total is None or not hidden:
        return
    rest = total - sum(shown)
    assert rest == sum(hidden)
    assert rest >= k
    assert len(hidden) > 1 and rest != len(hidden)  # neither one alone, nor all ones


def _check(view: Health, counts: ProgramCounts, k: int) -> None:
    assert view.k == k
    _check_table(view.participants, {"mentee": counts.mentees, "mentor": counts.mentors}, k)
    _check_table(view.relationships, dict(counts.statuses), k)
    started = dict(view.trends[0].points)
    shown = [v for v in started.values() if v is not None]
    for month, value in started.items():
        if value is not None:
            assert value == counts.started_by_month[month] and (value == 0 or value >= k)
    if shown and any(v is None for v in started.values()):
        # The reader may know the started pairs (from the status table): what the trend leaves
        # unknown (hidden months and the earlier bucket) is nobody or at least k people.
        unknown = counts.pairs - sum(shown)
        assert unknown == 0 or unknown >= k
        hidden = [counts.started_by_month[m] for m, v in started.items() if v is None]
        hidden.append(counts.started_by_month[EARLIER])
        hidden = [h for h in hidden if h > 0]
        assert not hidden or len(hidden) > 1 or view.trends[0].points == [(m, None) for m in MONTHS]
    for month, value in view.trends[1].points:
        if value is not None:
            assert value == counts.pairs_met_by_month[month] and (value == 0 or value >= k)
    if view.match_rate is not None:
        assert counts.mentees >= k
        assert (
            view.match_rate.low <= counts.matched_mentees / counts.mentees <= view.match_rate.high
        )
    if view.goal_completion is not None:
        assert counts.goal_owners >= k
    if view.satisfaction is not None:
        assert counts.raters >= k
    if view.meetings_per_pair is not None:
        assert counts.pairs >= k


def _released(view: Health) -> dict[str, int]:
    out = {}
    for name, table in (("p", view.participants), ("r", view.relationships)):
        out |= {f"{name}.{label}": v for label, v in table.cells.items() if v is not None}
        if table.total is not None:
            out[f"{name}.total"] = table.total
    for trend in view.trends:
        out |= {f"{trend.key}.{m}": v for m, v in trend.points if v is not None}
    return out


@settings(max_examples=400, deadline=None)
@given(programs(), program_k, organization_k)
def test_every_view_of_a_random_program_releases_nothing_about_fewer_than_k(
    counts, k_program, k_organization
):
    admins = health(counts, k=k_program, months=MONTHS)
    organization = health(counts, k=k_organization, months=MONTHS)
    _check(admins, counts, k_program)
    _check(organization, counts, k_organization)


@settings(max_examples=400, deadline=None)
@given(programs(), program_k, organization_k)
def test_the_organization_wide_view_adds_nothing_to_the_program_admins_view(
    counts, k_program, k_organization
):
    admins = _released(health(counts, k=k_program, months=MONTHS))
    organization = _released(health(counts, k=k_organization, months=MONTHS))
    for key, value in organization.items():
        assert admins.get(key) == value, key
