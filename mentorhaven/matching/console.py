"""Reads for the coordinator's console: a program's pipeline, unmatched mentees and why, mentors'
free seats and overdue requests.

Only names, roles, stages and seat counts: never an answer, a goal, a note or a message. The
number of queries does not depend on the program's size (tests/matching/test_console.py): each
kind of fact is loaded once for the whole program and grouped here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext

from mentorhaven.consent import processing
from mentorhaven.kernel import audit
from mentorhaven.matching.models import Profile
from mentorhaven.matching.pipeline import (
    STAGE_LABELS,
    WHY_LABELS,
    Seats,
    Stage,
    Why,
    stage_of,
    why_unmatched,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Invitation, Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

ROLES = ("mentee", "mentor")
ROLE_LABELS = dict(Membership.Role.choices)


@dataclass(frozen=True)
class PersonRow:
    name: str
    role: str
    stage: Stage
    why: Why | None = None
    seats: Seats | None = None  # mentors only

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def note(self) -> str:
        """What the coordinator should know: why a mentee waits, or a mentor's free seats."""
        if self.why is not None:
            return str(WHY_LABELS[self.why])
        if self.seats is not None:
            if self.seats.paused:
                return gettext("paused: takes no new mentees")
            return gettext("%(free)d of %(capacity)d seats free") % {
                "free": self.seats.free,
                "capacity": self.seats.capacity,
            }
        return ""


@dataclass(frozen=True)
class OverdueRow:
    mentee: str
    mentor: str
    respond_by: datetime


@dataclass
class StageGroup:
    stage: Stage
    people: list[PersonRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self.stage])


@dataclass
class Console:
    program: Program
    rows: list[PersonRow]
    stages: list[StageGroup]
    overdue: list[OverdueRow]

    @property
    def unmatched(self) -> list[PersonRow]:
        return [r for r in self.rows if r.why is not None]

    @property
    def mentors(self) -> list[PersonRow]:
        return [r for r in self.rows if r.seats is not None]

    @property
    def free_seats(self) -> int:
        return sum(r.seats.free for r in self.mentors if r.seats is not None)


def _invited(program: Program) -> list[PersonRow]:
    """Open invitations to take part (not yet accepted, revoked or expired), by the name the
    inviter gave or the address's first part."""
    found = Invitation.objects.filter(
        program=program,
        program_role__in=ROLES,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("display_name", "email", "program_role")
    return [
        PersonRow(name or email.split("@", 1)[0], role, Stage.INVITED)
        for name, email, role in found
    ]


def program_console(*, viewer: User, program: Program) -> Console:
    """The whole program's pipeline for its admins (the caller has passed
    ``access_program_admin``). Ordered by stage, then name."""
    members = list(
        Membership.objects.filter(program=program, role__in=ROLES)
        .select_related("user")
        .only("role", "user__display_name", "user__email", "user_id")
    )
    profiles = {
        (user_id, role): (capacity, paused)
        for user_id, role, capacity, paused in Profile.objects.filter(program=program).values_list(
            "user_id", "role", "capacity", "paused"
        )
    }
    statuses: dict[tuple[int, str], list[str]] = defaultdict(list)
    last_closed: dict[int, str] = {}
    taken: dict[int, int] = defaultdict(int)
    names = {m.user_id: m.user.name for m in members}
    overdue = []
    now = timezone.now()
    relationships = Relationship.objects.filter(program=program).order_by("proposed_at", "pk")
    for mentee_id, mentor_id, status, respond_by in relationships.values_list(
        "mentee_id", "mentor_id", "status", "respond_by"
    ):
        statuses[(mentee_id, "mentee")].append(status)
        statuses[(mentor_id, "mentor")].append(status)
        if status in ("declined", "ended_early"):
            last_closed[mentee_id] = status
        elif status in ("proposed", "active", "paused"):
            last_closed.pop(mentee_id, None)
            taken[mentor_id] += 1
            if status == "proposed" and respond_by is not None and respond_by < now:
                overdue.append(
                    OverdueRow(names.get(mentee_id, "—"), names.get(mentor_id, "—"), respond_by)
                )
    matchable = processing.allowed(
        processing.MATCHING, {m.user_id for m in members if m.role == "mentee"}
    )
    seats: dict[int, Seats] = {}
    for m in members:
        if m.role == "mentor":
            # Without a profile a mentor has one seat, as in matching (adapters.load_program).
            capacity, paused = profiles.get((m.user_id, "mentor"), (1, False))
            seats[m.user_id] = Seats(capacity, taken.get(m.user_id, 0), paused)
    free = sum(s.free for s in seats.values())
    rows = _invited(program)
    for m in members:
        stage = stage_of(
            has_profile=(m.user_id, m.role) in profiles, statuses=statuses[(m.user_id, m.role)]
        )
        why = None
        if m.role == "mentee":
            why = why_unmatched(
                stage=stage,
                matchable=m.user_id in matchable,
                last_closed=last_closed.get(m.user_id),
                free_seats=free,
            )
        rows.append(PersonRow(m.user.name, m.role, stage, why, seats.get(m.user_id)))
    order = {stage: i for i, stage in enumerate(Stage)}
    rows.sort(key=lambda r: (order[r.stage], r.name.casefold(), r.role))
    groups = {stage: StageGroup(stage) for stage in Stage}
    for row in rows:
        groups[row.stage].people.append(row)
    overdue.sort(key=lambda o: o.respond_by)
    return Console(program=program, rows=rows, stages=list(groups.values()), overdue=overdue)


def filter_rows(
    rows: list[PersonRow], *, stage: str = "", role: str = "", unmatched: bool = False
) -> list[PersonRow]:
    return [
        r
        for r in rows
        if (not stage or r.stage == stage)
        and (not role or r.role == role)
        and (not unmatched or r.why is not None)
    ]


def record_export(*, viewer: User, program: Program, rows: int) -> None:
    """The console's list left MentorHaven as a file: one event (names are personal data)."""
    audit.record(
        action="matching.console_export",
        actor=viewer,
        target=program,
        purpose="Run the program: the coordinator's operational list",
        category="program",
        organization=program.organization_id,
        extra={"rows": rows},
    )
