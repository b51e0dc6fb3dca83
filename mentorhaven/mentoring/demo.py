"""Demo mentoring content: ana ↔ cara and ben ↔ dev, active, each with a goal and milestone, a
scheduled meeting, a shared note and a private note. Written through the services, so the
content is encrypted and audited like real content.

Idempotent: a pair that already has an open relationship is left alone. Call it after the demo
people exist (``mentorhaven.demo.seed_demo``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.mentoring import services
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Program

PAIRS = [
    (
        "cara.mentee@demo.test",
        "ana.mentor@demo.test",
        "Lead my first project",
        "Plan and run the Q3 migration with two colleagues",
    ),
    (
        "dev.mentee@demo.test",
        "ben.mentor@demo.test",
        "Speak at a meetup",
        "Give a 20-minute talk on our testing practice",
    ),
]


@transaction.atomic
def seed_mentoring_demo(program_slug: str = "demo-2026") -> list[Relationship]:
    program = Program.objects.get(slug=program_slug)
    coordinator = User.objects.get(email="coordinator@demo.test")
    created = []
    for mentee_email, mentor_email, title, description in PAIRS:
        mentee = User.objects.get(email=mentee_email)
        mentor = User.objects.get(email=mentor_email)
        if Relationship.objects.filter(
            program=program,
            mentee=mentee,
            mentor=mentor,
            status__in=["proposed", "active", "paused"],
        ).exists():
            continue
        relationship = services.relationship_propose(
            actor=coordinator, program=program, mentee=mentee, mentor=mentor
        )
        services.relationship_accept(actor=mentee, relationship=relationship)
        relationship = services.relationship_accept(actor=mentor, relationship=relationship)
        goal = services.goal_create(
            actor=mentee, relationship=relationship, title=title, description=description
        )
        services.milestone_add(
            actor=mentee,
            goal=goal,
            title="First draft",
            due_on=timezone.localdate() + timedelta(14),
        )
        slot = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        meeting = services.meeting_propose(
            actor=mentee,
            relationship=relationship,
            slots=[slot, slot + timedelta(days=1)],
            location="Video call",
            agenda="Talk through the first steps",
        )
        services.meeting_accept(actor=mentor, meeting=meeting, starts_at=slot)
        services.note_create(
            actor=mentor,
            relationship=relationship,
            shared=True,
            body="Good start. Next time: who needs to know about the plan?",
        )
        services.note_create(
            actor=mentor,
            relationship=relationship,
            shared=False,
            body="Ask how the workload feels at the moment.",
        )
        created.append(relationship)
    return created
