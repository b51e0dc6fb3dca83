"""Programs of a chosen size for the dashboard tests: mentees, mentors, pairs, meetings held,
goals and feedback, written in bulk (only the counts matter here)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.mentoring.models import Feedback, Goal, Meeting, Relationship
from mentorhaven.programs.models import Membership, Program

SECRET_TEXT = "Sentinel-free-text-4711"


def grow(program: Program, pairs: int, *, tag: str = "g", extra_mentees: int = 0) -> None:
    """Add ``pairs`` active mentor-mentee pairs (started over the last year, one meeting held
    each, a goal each, one rating each) and ``extra_mentees`` unmatched mentees."""
    now = timezone.now()
    people = User.objects.bulk_create(
        [
            User(email=f"{tag}{i}@grow.test", display_name=f"{tag} {i}")
            for i in range(2 * pairs + extra_mentees)
        ]
    )
    mentors, mentees = people[:pairs], people[pairs:]
    Membership.objects.bulk_create(
        [Membership(program=program, user=u, role=Membership.Role.MENTOR) for u in mentors]
        + [Membership(program=program, user=u, role=Membership.Role.MENTEE) for u in mentees]
    )
    relationships = Relationship.objects.bulk_create(
        [
            Relationship(
                program=program,
                mentor=mentors[i],
                mentee=mentees[i],
                status=Relationship.Status.ACTIVE,
                started_at=now - timedelta(days=(i * 29) % 360),
            )
            for i in range(pairs)
        ]
    )
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                relationship=r,
                proposed_by_id=r.mentor_id,
                status=Meeting.Status.SCHEDULED,
                starts_at=now - timedelta(days=1),
            )
            for r in relationships
        ]
    )
    for r in relationships:
        Goal.objects.create(relationship=r, owner_id=r.mentee_id, title=SECRET_TEXT)
    for m in meetings:
        Feedback.objects.create(
            meeting=m, author_id=m.relationship.mentee_id, rating=4, comment=SECRET_TEXT
        )
