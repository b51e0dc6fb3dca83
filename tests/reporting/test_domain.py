"""The reporting layer's small-group rule, on random tables: nothing under k is shown, and no
hidden count can be derived from the released counts and total."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorhaven.reporting.domain import Table, band, k_for, release

tables = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.integers(min_value=0, max_value=40),
    min_size=1,
    max_size=8,
)
ks = st.integers(min_value=2, max_value=12)


def derivable(table, counts) -> list[str]:
    """The hidden counts a reader can compute from what is released: each hidden count is at
    least 1 (zeros are shown) and, when the total is released, the hidden ones add up to the
    total minus the shown ones. A hidden count is pinned when its smallest and largest possible
    values meet."""
    hidden = table.hidden
    if table.suppressed or not hidden or table.total is None:
        return []
    rest = table.total - sum(c for c in table.cells.values() if c is not None)
    if len(hidden) == 1:
        return hidden  # it is the rest, exactly
    lowest, highest = 1, rest - (len(hidden) - 1)  # the others take at least 1 each
    return hidden if lowest == highest else []


@settings(max_examples=500, deadline=None)
@given(tables, ks)
def test_no_hidden_count_can_be_derived(counts, k):
    table = release(counts, k=k)
    assert derivable(table, counts) == []
    if table.total is not None:  # the released figures are consistent with the truth
        assert table.total == sum(counts.values())


@settings(max_examples=500, deadline=None)
@given(tables, ks)
def test_no_released_count_describes_fewer_than_k_people(counts, k):
    table = release(counts, k=k)
    if sum(counts.values()) < k:
        assert table.suppressed and all(v is None for v in table.cells.values())
        assert table.total is None
    for label, shown in table.cells.items():
        if shown is not None:
            assert shown == counts[label]
            assert shown == 0 or shown >= k


def test_the_check_can_fail_without_complementary_suppression():
    """The fairness report's old leak: one hidden group, and the total shown."""
    counts = {"a": 12, "b": 9, "c": 2}
    cells = {label: (None if 0 < c < 5 else c) for label, c in counts.items()}
    naive = Table(5, cells, sum(counts.values()), suppressed=False)
    assert derivable(naive, counts) == ["c"]
    table = release(counts, k=5)
    assert table.hidden == ["c", "b"] or set(table.hidden) == {"b", "c"}
    assert derivable(table, counts) == []


def test_two_hidden_ones_are_protected_by_a_third():
    table = release({"a": 1, "b": 1, "c": 8, "d": 20}, k=5)
    assert set(table.hidden) == {"a", "b", "c"}


def test_bands_and_k():
    assert band([4, 4, 4, 5], k=5) is None
    assert str(band([4, 4, 4, 5, 3], k=5)) == "4.0-4.5"
    assert k_for({"min_group_size": 12}) == 12
    assert k_for({"min_group_size": 2}) == 5  # never below the floor
    assert k_for(None) == 5
    with pytest.raises(ValueError):
        release({"a": 1}, k=1)
