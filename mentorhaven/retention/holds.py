"""What a legal hold covers, for every sweep and erasure to ask before deleting anything.

A hold on a **person** covers everything about them, including the relationships they take
part in (and so keeps their counterparts in those from being erased); a hold on a
**relationship** covers its content and keeps both participants from being erased (erasing one
would shred their half of it); a hold on a **case** (a safety report) covers the report and the
relationships between its reporter and the reported person in that program, and keeps both from
being erased. Released holds cover nothing.

Holds are few, so the sets below are computed in a handful of queries per call; a sweep asks once
per run and excludes them in its queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.models import Report
from mentorhaven.retention.models import LegalHold

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _active():
    return LegalHold.objects.filter(released_at__isnull=True)


def _cases():
    return Report.objects.filter(pk__in=_active().filter(case__isnull=False).values("case_id"))


def held_user_ids() -> set[int]:
    """People who may not be erased, nor their data deleted by retention, while a hold lasts."""
    ids = set(_active().filter(user__isnull=False).values_list("user_id", flat=True))
    # Both sides of every held relationship: erasing either would shred their half of it.
    for mentee, mentor in Relationship.objects.filter(pk__in=held_relationship_ids()).values_list(
        "mentee_id", "mentor_id"
    ):
        ids |= {mentee, mentor}
    for reporter, reported in _cases().values_list("reporter_id", "reported_user_id"):
        ids |= {reporter, reported}
    return ids


def held_relationship_ids() -> set[int]:
    """Relationships whose content retention must keep while a hold lasts."""
    active = _active()
    people = set(active.filter(user__isnull=False).values_list("user_id", flat=True))
    covered = Q(pk__in=active.filter(relationship__isnull=False).values("relationship_id"))
    if people:
        covered |= Q(mentee_id__in=people) | Q(mentor_id__in=people)
    for program, reporter, reported in _cases().values_list(
        "program_id", "reporter_id", "reported_user_id"
    ):
        covered |= Q(program_id=program) & (
            Q(mentee_id=reporter, mentor_id=reported) | Q(mentee_id=reported, mentor_id=reporter)
        )
    return set(Relationship.objects.filter(covered).values_list("pk", flat=True))


def held_case_ids() -> set[int]:
    people = set(_active().filter(user__isnull=False).values_list("user_id", flat=True))
    cases = set(_cases().values_list("pk", flat=True))
    if people:
        cases |= set(
            Report.objects.filter(
                Q(reporter_id__in=people) | Q(reported_user_id__in=people)
            ).values_list("pk", flat=True)
        )
    return cases


def is_on_hold(*, user: User | int | None = None, relationship=None, case=None) -> bool:
    """Whether a legal hold covers this person, relationship or case (give exactly one). Call it
    before erasing or deleting anything by retention: a True answer means "keep it for now"."""
    given = [x for x in (user, relationship, case) if x is not None]
    if len(given) != 1:
        raise TypeError("is_on_hold takes exactly one of user, relationship, case")
    if not _active().exists():
        return False
    if user is not None:
        return getattr(user, "pk", user) in held_user_ids()
    if relationship is not None:
        return getattr(relationship, "pk", relationship) in held_relationship_ids()
    return getattr(case, "pk", case) in held_case_ids()
