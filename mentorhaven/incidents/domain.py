"""Pure rules of incident response: the order of the stages and the regulator's clock.

A personal-data breach must be reported to the supervisory authority within 72 hours of the
organization becoming aware of it (GDPR Art. 33). The clock runs from ``aware_at`` and stops
when the regulator is notified; every page of an incident shows it.
The notices sent to people an incident may have affected are fixed texts (``NOTICES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

REGULATOR_HOURS = 72
STAGES: tuple[str, ...] = ("detect", "contain", "assess", "notify", "closed")


class StageOrderError(ValueError):
    pass


def next_stage(stage: str) -> str | None:
    """The stage after ``stage``; None once closed."""
    index = STAGES.index(stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def check_move(current: str, wanted: str) -> str:
    """An incident moves forward one stage at a time: detect → contain → assess → notify →
    closed. Skipping a stage or going back raises ``StageOrderError``."""
    if wanted not in STAGES or next_stage(current) != wanted:
        raise StageOrderError(f"cannot move from {current!r} to {wanted!r}")
    return wanted


@dataclass(frozen=True)
class RegulatorClock:
    deadline: datetime
    hours_left: float  # negative once overdue
    overdue: bool
    notified_at: datetime | None

    @property
    def met(self) -> bool:
        return self.notified_at is not None and self.notified_at <= self.deadline

    @property
    def running(self) -> bool:
        return self.notified_at is None


def regulator_clock(
    aware_at: datetime, now: datetime, notified_at: datetime | None = None
) -> RegulatorClock:
    """The regulator's deadline for a breach the organization became aware of at ``aware_at``:
    how many hours are left at ``now`` (or were left when it was notified)."""
    deadline = aware_at + timedelta(hours=REGULATOR_HOURS)
    until = notified_at or now
    left = (deadline - until).total_seconds() / 3600
    return RegulatorClock(
        deadline=deadline, hours_left=left, overdue=left < 0, notified_at=notified_at
    )


# --- notices to the people affected ---------------------------------------------------------
# Fixed texts, chosen by the officer: a notice never carries what the incident's log says.


@dataclass(frozen=True)
class Notice:
    title: Any
    body: Any


NOTICES: dict[str, Notice] = {
    "account_compromise": Notice(
        _("Someone may have used an account that could see your data"),
        _(
            "An account that could see some of your data in MentorHaven may have been used by "
            "someone else. We have locked that account and ended its access. Your own password "
            "was not exposed. You can see who accessed your data on your privacy page."
        ),
    ),
    "data_exposure": Notice(
        _("Some of your data may have been exposed"),
        _(
            "A security incident may have exposed some of your data kept in MentorHaven. We have "
            "stopped it and are investigating. As a precaution, change your password and review "
            "your sessions and second factors on your account page."
        ),
    ),
    "precaution": Notice(
        _("A security incident that probably did not affect you"),
        _(
            "We are handling a security incident. We have no sign that your data was touched, "
            "but we tell everyone who could have been affected. Nothing is needed from you."
        ),
    ),
}
