"""Optional differential privacy for the dashboard's counts (OpenDP), per organization.

When an organization turns it on, every count a dashboard or export releases gets discrete
Laplace (geometric) noise from OpenDP's sampler, after the k-anonymous release has decided what
is shown (noise never un-hides a cell). Each view or export spends ``epsilon_per_view`` of the
organization's budget: the noise scale is set so that all counts of one view together cost that
much (basic composition; a person moves at most ``SENSITIVITY`` counts by one each, e.g. someone
who is both a mentor and a mentee). When the next view would overspend the budget, counts are no
longer released at all. Every spend is an audit event (``report.dp_spent``) and the page shows
what is left.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from mentorhaven.reporting.dashboard import Health, Trend
from mentorhaven.reporting.domain import Table

SENSITIVITY = 2


def released_counts(health: Health) -> int:
    """How many counts the view releases (what one view's epsilon is shared by)."""
    n = 0
    for table in (health.participants, health.relationships):
        n += sum(v is not None for v in table.cells.values()) + (table.total is not None)
    n += sum(v is not None for trend in health.trends for _, v in trend.points)
    return n


def scale_for(epsilon: float, counts: int) -> float:
    """The discrete Laplace scale that makes ``counts`` counts cost ``epsilon`` together."""
    return SENSITIVITY * max(counts, 1) / epsilon


@cache
def _opendp():
    """OpenDP, loaded on first use: its native library takes a quarter to half a second to
    load, and every process (web workers, the sealer, test workers) would pay it at start-up
    although only an organization that turned noise on ever needs it."""
    from opendp import domains, measurements, metrics
    from opendp.mod import enable_features

    enable_features("contrib")
    return domains, measurements, metrics


def _mechanism(scale: float):
    domains, measurements, metrics = _opendp()
    space = domains.atom_domain(T=int), metrics.absolute_distance(T=int)
    return measurements.make_laplace(*space, scale=scale)


def epsilon_of(scale: float, counts: int) -> float:
    """What releasing ``counts`` counts at ``scale`` costs, as OpenDP accounts it."""
    return float(_mechanism(scale).map(SENSITIVITY)) * max(counts, 1)


def _noisy_table(table: Table, add) -> Table:
    if table.suppressed:
        return table
    cells = {k: (None if v is None else add(v)) for k, v in table.cells.items()}
    return replace(table, cells=cells, total=None if table.total is None else add(table.total))


def with_noise(health: Health, *, scale: float) -> Health:
    """``health`` with noise on every released count (clamped at zero: post-processing)."""
    mechanism = _mechanism(scale)

    def add(value: int) -> int:
        return max(int(mechanism(int(value))), 0)

    return replace(
        health,
        participants=_noisy_table(health.participants, add),
        relationships=_noisy_table(health.relationships, add),
        trends=[
            Trend(t.key, [(m, None if v is None else add(v)) for m, v in t.points])
            for t in health.trends
        ],
    )


def withheld(health: Health) -> Health:
    """``health`` with no count at all (the budget is spent); bands stay, they are not counts."""

    def hide(table: Table) -> Table:
        return replace(table, cells=dict.fromkeys(table.cells), total=None)

    return replace(
        health,
        participants=hide(health.participants),
        relationships=hide(health.relationships),
        trends=[Trend(t.key, [(m, None) for m, _ in t.points]) for t in health.trends],
    )
