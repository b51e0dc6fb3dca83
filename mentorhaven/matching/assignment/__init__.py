"""Program-wide assignment: give every mentee at most one mentor, every mentor at most
``capacity`` mentees, never an infeasible pair, and make the total score as high as possible.

Three methods on a score matrix from ``domain.score_matrix`` (rows mentees, columns
mentors, ``INFEASIBLE`` where a pair may not be matched):

* ``exact``: each mentor becomes ``capacity`` identical seats and SciPy's
  ``linear_sum_assignment`` solves the dense mentee x seat problem. Optimal; memory grows
  with mentees x seats, so ``assign`` uses it only up to ``max_exact_cells`` cells.
* ``sparse``: a candidate graph keeps each mentee's ``k`` best mentors and each mentor's
  ``mentor_k_per_seat * capacity`` best mentees; on that graph the seat-expanded problem is
  solved exactly as a minimum-cost full matching (SciPy's sparse LAPJV), with one private
  "stay unmatched" seat per mentee. The LP duals of that solution then price every seat:
  pairs left out of the graph that are worth more than their price join it and it is solved
  again (column generation). When no such pair remains the result is optimal for the whole
  matrix, and says so (``proven_optimal``); otherwise ``optimality_gap`` bounds the loss.
* ``greedy``: the baseline: take pairs from the highest score down while both sides are free.
* ``assign_blocks`` (``blocks``): for programs too large for a whole score matrix (50,000 x
  10,000 would be 4 GB): scores stream past a block of mentees at a time (``ScoreBlocks``),
  each mentee keeps its best candidates, an auction assigns the candidate graph, and the
  auction's prices, checked against every pair, bound the optimum (``optimality_gap``).
  ``match_program`` (the product's runs) takes it past ``DEFAULT_MAX_DENSE_CELLS`` mentees x
  mentors, without a greedy baseline (that would need the whole matrix).

A pair that may not be matched and "no mentor" are both worth 0; every feasible pair is
worth its score plus ``match_bonus``. With the default bonus of 0 the methods maximise the
total score; a positive bonus trades score for coverage (a large one matches as many mentees
as possible first).
"""

from mentorhaven.matching.assignment.blocks import assign_blocks
from mentorhaven.matching.assignment.exact import assign_exact
from mentorhaven.matching.assignment.greedy import assign_greedy
from mentorhaven.matching.assignment.program import ProgramMatch, assign, match_program
from mentorhaven.matching.assignment.result import (
    DEFAULT_MAX_DENSE_CELLS,
    DEFAULT_MAX_EXACT_CELLS,
    UNMATCHED,
    Assignment,
    Method,
    capacities_of,
)
from mentorhaven.matching.assignment.sparse import assign_sparse, candidate_edges

__all__ = [
    "DEFAULT_MAX_DENSE_CELLS",
    "DEFAULT_MAX_EXACT_CELLS",
    "UNMATCHED",
    "Assignment",
    "Method",
    "ProgramMatch",
    "assign",
    "assign_blocks",
    "assign_exact",
    "assign_greedy",
    "assign_sparse",
    "candidate_edges",
    "capacities_of",
    "match_program",
]
