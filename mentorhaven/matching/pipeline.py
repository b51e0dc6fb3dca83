"""The coordinator's console, as pure rules: which stage a person is at, why a mentee has no
mentor, and how a cell is written into a CSV file so that a spreadsheet never runs it.

No database here (``console.py`` loads the facts); only names, roles and statuses are involved,
never anything a person wrote or answered.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


class Stage(enum.StrEnum):
    INVITED = "invited"
    JOINED = "joined"
    QUESTIONNAIRE = "questionnaire"
    MATCHED = "matched"
    ACTIVE = "active"
    COMPLETED = "completed"


STAGE_LABELS = {
    Stage.INVITED: _("Invited"),
    Stage.JOINED: _("Joined"),
    Stage.QUESTIONNAIRE: _("Questionnaire done"),
    Stage.MATCHED: _("Matched (waiting for an answer)"),
    Stage.ACTIVE: _("Active"),
    Stage.COMPLETED: _("Completed"),
}

# Stages where a mentee has no mentor and no proposal.
UNMATCHED = frozenset({Stage.JOINED, Stage.QUESTIONNAIRE})


class Why(enum.StrEnum):
    UNAVAILABLE = "unavailable"
    NO_QUESTIONNAIRE = "no_questionnaire"
    DECLINED = "declined"
    ENDED_EARLY = "ended_early"
    NO_FREE_SEAT = "no_free_seat"
    WAITING = "waiting"


WHY_LABELS = {
    Why.UNAVAILABLE: _("not available for matching at the moment"),
    Why.NO_QUESTIONNAIRE: _("has not answered the questionnaire yet"),
    Why.DECLINED: _("their last proposal was declined or lapsed; not matched again yet"),
    Why.ENDED_EARLY: _("their last relationship ended early; not matched again yet"),
    Why.NO_FREE_SEAT: _("no mentor has a free seat"),
    Why.WAITING: _("waiting for the next match run or for a mentor to answer a request"),
}


def stage_of(*, has_profile: bool, statuses: Iterable[str]) -> Stage:
    """The furthest stage a member has reached, from their relationships' statuses (a mentor
    with one active and one completed relationship is active)."""
    seen = set(statuses)
    if "active" in seen:
        return Stage.ACTIVE
    if "proposed" in seen:
        return Stage.MATCHED
    if "completed" in seen:
        return Stage.COMPLETED
    return Stage.QUESTIONNAIRE if has_profile else Stage.JOINED


def why_unmatched(
    *, stage: Stage, matchable: bool, last_closed: str | None, free_seats: int
) -> Why | None:
    """Why a mentee has no mentor (None when they have one or are done). ``last_closed`` is
    the status of their latest declined or ended relationship, if any."""
    if stage not in UNMATCHED:
        return None
    if not matchable:
        return Why.UNAVAILABLE
    if stage == Stage.JOINED:
        return Why.NO_QUESTIONNAIRE
    if last_closed == "declined":
        return Why.DECLINED
    if last_closed == "ended_early":
        return Why.ENDED_EARLY
    if free_seats <= 0:
        return Why.NO_FREE_SEAT
    return Why.WAITING


@dataclass(frozen=True)
class Seats:
    capacity: int
    taken: int
    paused: bool

    @property
    def free(self) -> int:
        return 0 if self.paused else max(self.capacity - self.taken, 0)


# A cell that a spreadsheet would read as a formula (or a DDE command) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet runs: text starting like a formula gets a
    leading apostrophe, which spreadsheets show as plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
