"""k-anonymous figures: the one small-group rule every report goes through.

A *table* is a set of counts that add up to a total (answers to a question, people per group).
Releasing it follows three rules:

1. **Small whole.** When the total describes fewer than ``k`` people, nothing is released but
   that fact.
2. **Primary suppression.** A count of 1 to ``k - 1`` people is hidden. A zero is released: it
   describes nobody.
3. **Complementary suppression.** The total minus the released counts is the sum of the hidden
   ones; a reader who knows that every hidden count is at least 1 can pin a hidden count down
   when only one count is hidden, or when the hidden sum equals the number of hidden counts
   (all ones). And the hidden sum is itself a figure: the total and the sum of the released
   parts are two released cells that differ by it, so it must describe nobody or at least
   ``k`` people. While either is not so, the smallest released non-zero count is hidden too;
   when no count is left to hide, the total is withheld instead.

Averages are released only in bands (``band``), and only over at least ``k`` answers, so one new
answer cannot be read off an exact change. ``tests/reporting/test_domain.py`` checks the rules on
random tables with hypothesis: no hidden count can be derived from what is released.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_K = 5
BAND_WIDTH = 0.5


def k_for(settings: Mapping | None, *, floor: int = DEFAULT_K) -> int:
    """The ``k`` of a program (its ``min_group_size`` setting), never below ``floor``."""
    try:
        chosen = int((settings or {}).get("min_group_size", floor))
    except (TypeError, ValueError):
        chosen = floor
    return max(chosen, floor)


@dataclass(frozen=True)
class Table:
    """A released table: each count, or None where hidden; the total, or None when withheld.
    ``suppressed`` means the whole table describes fewer than ``k`` people."""

    k: int
    cells: dict[str, int | None]
    total: int | None
    suppressed: bool

    @property
    def hidden(self) -> list[str]:
        return [label for label, count in self.cells.items() if count is None]


def _pinned(hidden: Sequence[int]) -> bool:
    """Whether a reader who knows the hidden sum and that each hidden count is ≥ 1 can tell
    a hidden count's value."""
    return len(hidden) == 1 or (len(hidden) > 0 and sum(hidden) == len(hidden))


def release(counts: Mapping[str, int], *, k: int) -> Table:
    """The table of ``counts`` (label → number of people) as it may be shown."""
    if k < 2:
        raise ValueError("k must be at least 2")
    total = sum(counts.values())
    if any(c < 0 for c in counts.values()):
        raise ValueError("counts are never negative")
    if total < k:
        return Table(k, dict.fromkeys(counts), None, suppressed=True)
    hidden = {label for label, c in counts.items() if 0 < c < k}
    show_total = True
    while hidden and (_pinned([counts[h] for h in hidden]) or sum(counts[h] for h in hidden) < k):
        candidates = sorted(
            (c, label) for label, c in counts.items() if label not in hidden and c > 0
        )
        if not candidates:
            show_total = False
            break
        hidden.add(candidates[0][1])
    cells = {label: (None if label in hidden else c) for label, c in counts.items()}
    return Table(k, cells, total if show_total else None, suppressed=False)


@dataclass(frozen=True)
class Band:
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.low:.1f}-{self.high:.1f}"


def band(values: Sequence[float], *, k: int, width: float = BAND_WIDTH) -> Band | None:
    """The band the mean of ``values`` falls in (``[low, low + width)``), or None under ``k``
    values."""
    if len(values) < k:
        return None
    mean = sum(values) / len(values)
    low = (mean // width) * width
    return Band(round(low, 6), round(low + width, 6))


RATE_BAND = 0.1  # rates (match rate, goal completion) are shown in tenths


def rate_band(part: int, whole: int, *, k: int, width: float = RATE_BAND) -> Band | None:
    """The band of ``part / whole`` as a fraction (tenths; a full 100 % shows as 90-100 %), or
    None when the whole describes fewer than ``k`` people. Only the band is released, never the
    part: one more person moves the rate by at most one band."""
    if whole < k or part < 0 or part > whole:
        return None
    low = min((part / whole) // width * width, 1 - width)
    return Band(round(low, 6), round(low + width, 6))


def mean_band(
    total: float, n: int, *, people: int, k: int, width: float = BAND_WIDTH
) -> Band | None:
    """The band of the mean ``total / n`` (a mean the database computed), or None when the
    values come from fewer than ``k`` people."""
    if people < k or n <= 0:
        return None
    mean = total / n
    low = (mean // width) * width
    return Band(round(low, 6), round(low + width, 6))


def series(counts: Mapping[str, int], *, k: int) -> dict[str, int | None]:
    """A trend (label → count of people, e.g. one per month): each point is released on its own
    (nothing adds them up on the page), so a point under ``k`` is hidden, zeros shown."""
    return {label: (None if 0 < c < k else c) for label, c in counts.items()}
