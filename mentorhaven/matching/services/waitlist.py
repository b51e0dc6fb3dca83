"""The waitlist: a mentee who finds no mentor free to take them is told when one is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from mentorhaven.kernel.errors import Conflict
from mentorhaven.matching import scoring
from mentorhaven.matching.adapters import load_program
from mentorhaven.matching.models import ParticipantRole, WaitlistEntry
from mentorhaven.matching.services._common import _audit, _require_role, require_requests_open
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.notices import Kind, notify
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

OPEN = (Relationship.Status.PROPOSED, Relationship.Status.ACTIVE)


@transaction.atomic
def waitlist_join(*, actor: User, program: Program) -> WaitlistEntry:
    """Put the mentee on the program's waitlist; joining twice keeps the first place. Only
    where mentees ask mentors (the waitlist tells them whom they may ask now)."""
    _require_role(actor, program, ParticipantRole.MENTEE)
    require_requests_open(program)
    if Relationship.objects.filter(program=program, mentee=actor, status__in=OPEN).exists():
        raise Conflict(_("You already have a mentor or a pending request."), code="already_open")
    entry, created = WaitlistEntry.objects.get_or_create(program=program, mentee=actor)
    if created:
        _audit(
            "matching.waitlist_join",
            actor=actor,
            program=program,
            target=entry,
            subject=actor,
            purpose="Wait for a free mentor",
        )
    return entry


@transaction.atomic
def waitlist_leave(*, actor: User, program: Program) -> bool:
    deleted, _rows = WaitlistEntry.objects.filter(program=program, mentee=actor).delete()
    if deleted:
        _audit(
            "matching.waitlist_leave",
            actor=actor,
            program=program,
            target=("matching.waitlistentry", ""),
            subject=actor,
            purpose="Wait for a free mentor",
        )
    return bool(deleted)


def waitlist_notify() -> int:
    """Policy: each waiting mentee is told once, as soon as a mentor who may take them has a
    free seat (the same test as the suggestions page: capacity left, not paused, not excluded,
    has not declined them), and leaves the waitlist; a mentee who has meanwhile been matched or
    asked someone leaves it too. One program per transaction; idempotent. Returns the number of
    mentees told."""
    told = 0
    waiting_programs = WaitlistEntry.objects.values_list("program_id", flat=True).distinct()
    for program in Program.objects.filter(pk__in=list(waiting_programs)):
        with transaction.atomic():
            entries = list(WaitlistEntry.objects.select_for_update().filter(program=program))
            busy = set(
                Relationship.objects.filter(
                    program=program,
                    mentee_id__in=[e.mentee_id for e in entries],
                    status__in=OPEN,
                ).values_list("mentee_id", flat=True)
            )
            waiting = [e.mentee_id for e in entries if e.mentee_id not in busy]
            free = []
            if waiting:
                data = load_program(
                    program,
                    reader=None,
                    purpose="Tell waiting mentees that a mentor is free",
                    mentee_ids=waiting,
                )
                free = [m for m in waiting if scoring.suggest(data, m, limit=1)]
            if free:
                link = reverse("matching_suggestions", kwargs={"program_id": program.public_id})
                notify(user_ids=free, kind=Kind.WAITLIST, link=link)
            WaitlistEntry.objects.filter(program=program, mentee_id__in=[*busy, *free]).delete()
            told += len(free)
    return told
