"""``mentorhaven demo --scale N``: one organization with one program of N participants and a year
of their activity, for benchmarks and for trying the pages at the size of a large company.

One mentor to four mentees; every participant has a matching profile and questionnaire answers;
most mentees are in a relationship (active, a few completed) with a year of messages, meetings,
goals and notes. Everything a person typed is encrypted through the normal field machinery
(under that person's data key, bound to its row), but rows are made with ``bulk_create`` in
batches rather than through the services one by one: the services also audit, notify and
re-check permissions for every row, which is right for people and hours too slow for a
million rows. So no audit events are written for the generated content: nobody read it.

Refused in production. Repeatable (a seeded random generator); each run makes a new
organization, named after the size and a serial, so runs never collide.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from mentorhaven.demo import DEMO_GOALS, DEMO_INDUSTRIES, create_demo_questions

MENTEES_PER_MENTOR = 4
MESSAGES_PER_RELATIONSHIP = 24  # about two a month for a year
MEETINGS_PER_RELATIONSHIP = 6
GOALS_PER_RELATIONSHIP = 2
NOTES_PER_RELATIONSHIP = 2
PHRASES = [
    "Thanks for the session today, it helped a lot.",
    "Could we move next week's meeting to Thursday?",
    "I tried the feedback approach we discussed and it went well.",
    "Here is the article I mentioned about planning a career change.",
    "How did the presentation to the leadership team go?",
    "I'm stuck on how to start the conversation with my manager.",
    "Let's look at your goals again next time.",
    "Great progress this month!",
]


@dataclass
class ScaleReport:
    organization: str
    program: str
    participants: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    mentee_email: str = ""  # a generated mentee in an active relationship, to look at


def seed_scale(
    participants: int,
    *,
    batch: int = 2000,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> ScaleReport:
    """Fill a new program with ``participants`` people (mentees and mentors) and a year of
    activity; returns what was made and how long it took."""
    from mentorhaven.accounts.models import User
    from mentorhaven.matching.models import Answer, Profile, Question
    from mentorhaven.mentoring.models import Relationship
    from mentorhaven.messaging.models import Conversation, ConversationMember
    from mentorhaven.programs.models import Membership, OrgMembership
    from mentorhaven.programs.services import (
        membership_grant,
        organization_create,
        program_create,
    )

    if settings.PRODUCTION:
        raise RuntimeError("Scale demo data are refused in production.")
    if participants < MENTEES_PER_MENTOR + 1:
        raise ValueError(f"A program needs at least {MENTEES_PER_MENTOR + 1} participants.")
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (repeatable demo data, not a secret)
    serial = uuid.uuid4().hex[:6]
    org = organization_create(
        actor=None, name=f"Scale {participants}", slug=f"scale-{participants}-{serial}"
    )
    program = program_create(
        actor=None, organization=org, name=f"Scale {participants}", slug=f"scale-{serial}"
    )
    report = ScaleReport(organization=org.slug, program=program.slug)
    coordinator = User.objects.create_user(
        email=f"coordinator.{serial}@scale.test", password=None, display_name="Scale Coordinator"
    )
    membership_grant(
        actor=None, program=program, user=coordinator, role=Membership.Role.PROGRAM_ADMIN
    )
    # No sensitive question: generated people give no consent to use one.
    create_demo_questions(actor=coordinator, program=program, sensitive=False)
    questions = list(Question.objects.filter(program=program))
    counts: dict[str, int] = {}

    def made(name: str, rows: Sequence[models.Model]) -> None:
        counts[name] = counts.get(name, 0) + len(rows)

    now = timezone.now()
    year_ago = now - timedelta(days=365)
    mentors_count = max(1, participants // (MENTEES_PER_MENTOR + 1))
    roles = [Membership.Role.MENTOR] * mentors_count + [Membership.Role.MENTEE] * (
        participants - mentors_count
    )
    for chunk_start in range(0, participants, batch):
        chunk_roles = roles[chunk_start : chunk_start + batch]
        users = User.objects.bulk_create(
            User(
                email=f"p{chunk_start + i}.{serial}@scale.test",
                display_name=f"Person {chunk_start + i}",
                password="!",  # unusable: generated people cannot sign in  # noqa: S106
            )
            for i in range(len(chunk_roles))
        )
        made("users", users)
        _keys_ready([u.pk for u in users])
        with transaction.atomic():
            made(
                "org_memberships",
                OrgMembership.objects.bulk_create(
                    OrgMembership(organization=org, user=u, role=OrgMembership.Role.MEMBER)
                    for u in users
                ),
            )
            made(
                "memberships",
                Membership.objects.bulk_create(
                    Membership(program=program, user=u, role=role)
                    for u, role in zip(users, chunk_roles, strict=True)
                ),
            )
            profiles = Profile.objects.bulk_create(
                Profile(
                    program=program,
                    user=u,
                    role=role,
                    headline=f"{rng.choice(DEMO_INDUSTRIES).title()} professional",
                    goals=rng.choice(DEMO_GOALS),
                    capacity=MENTEES_PER_MENTOR if role == Membership.Role.MENTOR else 1,
                )
                for u, role in zip(users, chunk_roles, strict=True)
            )
            made("profiles", profiles)
            made(
                "answers",
                Answer.objects.bulk_create(
                    Answer(profile=p, question=q, user_id=p.user_id, value=_answer(rng, q))
                    for p in profiles
                    for q in questions
                ),
            )
        say(f"participants: {chunk_start + len(chunk_roles)} of {participants}")
    report.participants = participants

    member_ids = list(
        Membership.objects.filter(program=program)
        .exclude(role=Membership.Role.PROGRAM_ADMIN)
        .order_by("pk")
        .values_list("user_id", "role")
    )
    mentor_ids = [u for u, role in member_ids if role == Membership.Role.MENTOR]
    mentee_ids = [u for u, role in member_ids if role == Membership.Role.MENTEE]
    # Four in five mentees are matched: mostly active relationships, some completed.
    pairs = [
        (mentee, mentor_ids[n // MENTEES_PER_MENTOR])
        for n, mentee in enumerate(mentee_ids[: len(mentor_ids) * MENTEES_PER_MENTOR])
        if rng.random() < 0.8
    ]
    for chunk_start in range(0, len(pairs), max(1, batch // 4)):
        chunk = pairs[chunk_start : chunk_start + max(1, batch // 4)]
        _keys_ready([user_id for pair in chunk for user_id in pair])
        with transaction.atomic():
            relationships = Relationship.objects.bulk_create(
                _relationship(rng, program, mentee, mentor, year_ago, now)
                for mentee, mentor in chunk
            )
            made("relationships", relationships)
            conversations = Conversation.objects.bulk_create(
                Conversation(
                    kind=Conversation.Kind.RELATIONSHIP,
                    program=program,
                    relationship=r,
                    last_seq=MESSAGES_PER_RELATIONSHIP,
                    created_at=r.started_at or year_ago,
                )
                for r in relationships
            )
            made("conversations", conversations)
            made(
                "conversation_members",
                ConversationMember.objects.bulk_create(
                    ConversationMember(
                        conversation=c,
                        user_id=user_id,
                        last_read_seq=MESSAGES_PER_RELATIONSHIP,
                    )
                    for c, r in zip(conversations, relationships, strict=True)
                    for user_id in (r.mentee_id, r.mentor_id)
                ),
            )
            for name, rows in (
                ("messages", _messages(rng, conversations, relationships, year_ago)),
                ("meetings", _meetings(rng, relationships, year_ago)),
                ("goals", _goals(rng, relationships, year_ago)),
                ("notes", _notes(rng, relationships, year_ago)),
            ):
                made(name, type(rows[0]).objects.bulk_create(rows, batch_size=batch))
        say(f"relationships: {chunk_start + len(chunk)} of {len(pairs)}")
    report.rows = counts
    first_active = (
        Relationship.objects.filter(program=program, status=Relationship.Status.ACTIVE)
        .select_related("mentee")
        .order_by("pk")
        .first()
    )
    report.mentee_email = first_active.mentee.email if first_active else ""
    if connection.vendor == "postgresql":
        # Millions of rows just arrived: give the planner their statistics now, not whenever
        # autovacuum gets to them (pages planned for empty tables scan whole tables).
        say("analyzing the tables")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.seconds = time.perf_counter() - started
    return report


def _keys_ready(user_ids: list[int]) -> None:
    """Create (and cache) the people's data keys in a committed transaction of their own.

    Keys loaded inside a transaction stay "tentative" until it commits, and every encryption
    under a tentative key re-reads it (it might be rolled back): one query per row."""
    from mentorhaven.kernel.vault import subject_secrets

    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Scale demo data are made outside any transaction.")
    subject_secrets(user_ids)


def _answer(rng: random.Random, question: Any) -> Any:
    if question.kind == "multi":
        return rng.sample(question.option_values, k=rng.randint(1, 3))
    if question.kind == "single":
        return rng.choice(question.option_values)
    return rng.randint(question.scale_min, question.scale_max)


def _relationship(
    rng: random.Random, program: Any, mentee: int, mentor: int, year_ago: Any, now: Any
) -> Any:
    from mentorhaven.mentoring.models import Relationship

    started = year_ago + timedelta(days=rng.randint(0, 30))
    completed = rng.random() < 0.1
    return Relationship(
        program=program,
        mentee_id=mentee,
        mentor_id=mentor,
        status=Relationship.Status.COMPLETED if completed else Relationship.Status.ACTIVE,
        source=Relationship.Source.ADMIN_MATCH,
        proposed_at=started - timedelta(days=3),
        mentee_accepted_at=started - timedelta(days=2),
        mentor_accepted_at=started - timedelta(days=1),
        started_at=started,
        ended_at=now - timedelta(days=rng.randint(1, 30)) if completed else None,
        last_activity_at=now - timedelta(days=rng.randint(0, 14)),
    )


def _spread(rng: random.Random, start: Any, count: int) -> list[Any]:
    """``count`` moments from ``start`` over the year, in order."""
    return sorted(start + timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(count))


def _messages(
    rng: random.Random, conversations: Sequence[Any], relationships: Sequence[Any], start: Any
) -> list[Any]:
    from mentorhaven.messaging.models import Message

    return [
        Message(
            conversation=c,
            seq=seq,
            author_id=rng.choice((r.mentee_id, r.mentor_id)),
            body=rng.choice(PHRASES),
            created_at=at,
        )
        for c, r in zip(conversations, relationships, strict=True)
        for seq, at in enumerate(_spread(rng, start, MESSAGES_PER_RELATIONSHIP), start=1)
    ]


def _meetings(rng: random.Random, relationships: Sequence[Any], start: Any) -> list[Any]:
    from mentorhaven.mentoring.models import Meeting

    return [
        Meeting(
            relationship=r,
            proposed_by_id=rng.choice((r.mentee_id, r.mentor_id)),
            status=Meeting.Status.SCHEDULED,
            slots=[at.isoformat()],
            starts_at=at,
            location="Video call",
            agenda=rng.choice(DEMO_GOALS),
            created_at=at - timedelta(days=7),
            responded_at=at - timedelta(days=6),
        )
        for r in relationships
        for at in _spread(rng, start, MEETINGS_PER_RELATIONSHIP)
    ]


def _goals(rng: random.Random, relationships: Sequence[Any], start: Any) -> list[Any]:
    from mentorhaven.mentoring.models import Goal

    return [
        Goal(
            relationship=r,
            owner_id=r.mentee_id,
            title=rng.choice(DEMO_GOALS).capitalize(),
            description="Agreed in our first meeting.",
            created_at=start + timedelta(days=n),
            updated_at=start + timedelta(days=n),
        )
        for r in relationships
        for n in range(GOALS_PER_RELATIONSHIP)
    ]


def _notes(rng: random.Random, relationships: Sequence[Any], start: Any) -> list[Any]:
    from mentorhaven.mentoring.models import Note

    return [
        Note(
            relationship=r,
            author_id=author,
            body=rng.choice(PHRASES),
            shared=rng.random() < 0.5,
            created_at=at,
            updated_at=at,
        )
        for r in relationships
        for author, at in zip(
            (r.mentee_id, r.mentor_id), _spread(rng, start, NOTES_PER_RELATIONSHIP), strict=False
        )
    ]
