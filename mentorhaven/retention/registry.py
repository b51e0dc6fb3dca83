"""Sweepers: one per kind of record, each deleting what its retention rule says is over.

The retention app registers its own (``sweepers/``); another app adds a kind from its
``retention_sweepers.py``::

    from mentorhaven.retention.registry import register_sweeper
    from mentorhaven.retention.domain import Rule

    register_sweeper(kind="exports", due=exports_due, sweep=exports_sweep)

``due(ctx, until)`` counts what will be due by ``until`` (the admin page's forecast and the dry
run), per organization; ``sweep(ctx, batch_size)`` deletes in batches, each in its own
transaction, and yields the number of records each committed batch removed. A sweep must be
idempotent and leave nothing half-deleted when it is killed between or inside batches, and it
must skip whatever ``ctx`` says is under legal hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from mentorhaven.retention import domain


@dataclass(frozen=True)
class Due:
    organization_id: int
    count: int  # records
    people: int = 0  # distinct people (or relationships) the records are about


@dataclass
class Context:
    """What one run knows: the time, who and what is held, and each organization's policies."""

    now: datetime
    held_users: set[int]
    held_relationships: set[int]
    held_cases: set[int]
    # kind -> {("org", id) | ("program", id): days}
    overrides: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)

    def days(self, kind: str, *, organization_id: int, program_id: int | None = None) -> int:
        chosen = self.overrides.get(kind, {})
        if program_id is not None and ("program", program_id) in chosen:
            return chosen[("program", program_id)]
        return chosen.get(("org", organization_id), domain.RULES[kind].default_days)

    def shortest(self, kind: str) -> int:
        """The shortest period any organization uses: nothing younger can be due anywhere."""
        return min([domain.RULES[kind].default_days, *self.overrides.get(kind, {}).values()])


DueFn = Callable[[Context, datetime], list[Due]]
SweepFn = Callable[[Context, int], Iterator[int]]


@dataclass(frozen=True)
class Sweeper:
    kind: str
    due: DueFn
    sweep: SweepFn


_sweepers: dict[str, Sweeper] = {}


def register_sweeper(
    *, kind: str, due: DueFn, sweep: SweepFn, rule: domain.Rule | None = None
) -> Sweeper:
    """Add the sweeper of ``kind``. A kind that is not one of ``domain.Kind`` brings its
    ``rule`` (default period and bounds), which then shows on the admin page like the others."""
    if rule is not None:
        if rule.kind != kind:
            raise ValueError("the rule's kind must be the sweeper's")
        domain.RULES.setdefault(kind, rule)
    if kind not in domain.RULES:
        raise ValueError(f"retention kind {kind!r} has no rule: pass rule=")
    existing = _sweepers.get(kind)
    if existing is not None and (existing.due, existing.sweep) != (due, sweep):
        raise ValueError(f"a sweeper for {kind!r} is already registered")
    _sweepers[kind] = Sweeper(kind=kind, due=due, sweep=sweep)
    return _sweepers[kind]


def sweepers() -> list[Sweeper]:
    return [_sweepers[k] for k in sorted(_sweepers)]


# Erasing a whole account is the privacy app's job (data-subject erasure). It registers here
# the function that erases one inactive person; until then inactive accounts are only warned.
_account_eraser: list[Callable[..., object]] = []


def register_account_eraser(erase: Callable[..., object]) -> None:
    """``erase(user=...)`` erases one account whose inactivity period is over (not on hold)."""
    _account_eraser[:] = [erase]


def account_eraser() -> Callable[..., object] | None:
    return _account_eraser[0] if _account_eraser else None
