"""An auction (Bertsekas) for the capacitated assignment on a candidate graph, vectorised.

Mentees bid for mentors; a mentor keeps its ``capacity`` highest bids and its price is the
lowest bid it keeps (0 while it has a free seat). A mentee bids on the mentor worth the most
to it at current prices, raising that price by the difference to its second best plus
``eps``; "no mentor" is always worth 0. All unplaced mentees bid at once (Jacobi rounds).

At the end every placed mentee is within ``eps`` of its best choice at the final prices, so
the result is within ``mentees * eps`` of the optimum on the graph; the caller proves how
close from the prices themselves (any prices >= 0 give an LP dual bound). Prices start at 0
and a mentor's price rises only once its seats are full, so a mentor left with a free seat
costs nothing, as the duals of an optimum require.

The seat-expanded exact solver (SciPy's LAPJV) slows down sharply with many identical seats;
the auction treats a mentor's seats as one object with a capacity, so its work grows with
the graph's edges, not with edges x seats.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.result import UNMATCHED


def _segments(indptr: NDArray[np.int64], rows: NDArray[np.int64]) -> NDArray[np.int64]:
    """Positions of the edges of ``rows`` in a CSR layout, row after row."""
    counts = indptr[rows + 1] - indptr[rows]
    starts = np.repeat(indptr[rows] - np.cumsum(counts) + counts, counts)
    return starts + np.arange(int(counts.sum()))


def auction(
    n: int,
    caps: NDArray[np.int64],
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    value: NDArray[np.float64],
    *,
    eps: float = 1e-3,
    patience: float = 1.0,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``mentor_of`` for each mentee and the final mentor prices. Edges (``rows``, ``cols``,
    ``value``) must be sorted by row; a value is what the pair is worth (>= 0 to be of use).
    ``eps`` is relative to the largest value."""
    m = caps.size
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    price = np.zeros(m)
    if not rows.size:
        return mentor_of, price
    eps *= float(np.abs(value).max()) or 1.0
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
    seat_start = np.concatenate(([0], np.cumsum(caps)))
    holder = np.full(int(seat_start[-1]), UNMATCHED, dtype=np.int64)
    bid_of = np.full(holder.size, -np.inf)  # a mentor's seats, best bid first
    open_ = np.flatnonzero(indptr[1:] > indptr[:-1])
    step = np.ones(n)
    while open_.size:
        edge = _segments(indptr, open_)
        counts = indptr[open_ + 1] - indptr[open_]
        starts = np.cumsum(counts) - counts
        net = value[edge] - price[cols[edge]]
        best = np.maximum.reduceat(net, starts)
        owner = np.repeat(np.arange(open_.size), counts)
        at = np.flatnonzero(net == best[owner])
        first = at[np.unique(owner[at], return_index=True)[1]]
        net[first] = -np.inf
        second = np.maximum(np.maximum.reduceat(net, starts), 0.0)  # "no mentor" is worth 0
        wants = best > 0.0  # otherwise "no mentor" is best, and prices only rise
        bidder = open_[wants]
        target = cols[edge[first[wants]]]
        bid = price[target] + (best[wants] - second[wants]) + eps * step[bidder]
        # Each mentor keeps its ``capacity`` best among the bids it holds and the new ones.
        hit = np.unique(target)
        held = _segments(seat_start, hit)
        mentor = np.concatenate((np.repeat(hit, caps[hit]), target))
        offer = np.concatenate((bid_of[held], bid))
        person = np.concatenate((holder[held], bidder))
        order = np.lexsort((-offer, mentor))
        mentor, offer, person = mentor[order], offer[order], person[order]
        rank = np.arange(mentor.size) - np.searchsorted(mentor, mentor)
        kept = rank < caps[mentor]
        seat = seat_start[mentor[kept]] + rank[kept]
        holder[seat], bid_of[seat] = person[kept], offer[kept]
        lost = person[~kept]
        lost = lost[lost != UNMATCHED]  # outbid, or bid too low for a seat: bid again
        mentor_of[lost] = UNMATCHED
        won = kept & (person != UNMATCHED)
        mentor_of[person[won]] = mentor[won]
        last = seat_start[hit + 1] - 1  # a mentor's lowest kept bid is its price once full
        full = holder[last] != UNMATCHED
        price[hit[full]] = bid_of[last[full]]
        open_ = np.unique(lost)
        step[open_] = np.minimum(step[open_] * 2.0, patience)
    return mentor_of, price
