"""A program's settings an organization admin may change, and their bounds (pure rules).

The settings live in ``Program.settings`` under the keys the other apps already read:
``mentor_capacity`` (the dashboards' default seats per mentor), ``min_group_size`` (the k of
every k-anonymous figure about the program), ``idle_days`` (the idle-relationship nudge),
``confidentiality_agreement`` (the text both people accept before a relationship starts) and
``matching_mode`` (how pairs are meant to form).
"""

from __future__ import annotations

from dataclasses import dataclass

# How pairs form in a program: "admin" — its coordinators run matching and publish the pairs,
# mentees do not browse or ask mentors; "mentee_request" — each mentee sees suggested mentors and
# asks one, there are no match runs; "both" — either way.
MATCHING_MODES = ("admin", "mentee_request", "both")
DEFAULT_MATCHING_MODE = "both"


def matching_mode(settings: dict | None) -> str:
    """The program's matching mode from its settings (the default when unset or unknown)."""
    mode = (settings or {}).get("matching_mode")
    return mode if mode in MATCHING_MODES else DEFAULT_MATCHING_MODE


def mentees_request(settings: dict | None) -> bool:
    """Whether mentees see suggested mentors and ask one (and may wait for a free one)."""
    return matching_mode(settings) in ("mentee_request", "both")


def coordinators_run_matching(settings: dict | None) -> bool:
    """Whether the coordinators run program-wide matching and publish its pairs."""
    return matching_mode(settings) in ("admin", "both")


# Figures about fewer people than this are never shown: a program may ask for more, never less.
MIN_GROUP_SIZE_FLOOR = 5
MAX_DESCRIPTION_CHARS = 5_000
MAX_AGREEMENT_CHARS = 20_000


@dataclass(frozen=True)
class Bound:
    low: int
    high: int


INTEGER_SETTINGS: dict[str, Bound] = {
    "mentor_capacity": Bound(0, 20),
    "min_group_size": Bound(MIN_GROUP_SIZE_FLOOR, 1000),
    "idle_days": Bound(1, 365),
}


class OutOfBounds(ValueError):
    def __init__(self, key: str, bound: Bound) -> None:
        self.key = key
        self.bound = bound
        super().__init__(key)


def check_integer(key: str, value: int) -> int:
    """``value`` if it lies within the bounds of ``key``, else ``OutOfBounds``."""
    bound = INTEGER_SETTINGS[key]
    if not bound.low <= value <= bound.high:
        raise OutOfBounds(key, bound)
    return value
