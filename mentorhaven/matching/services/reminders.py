"""Reminders of the matching app: a questionnaire still unanswered, a request about to lapse.

Each is sent once (a notice about the same page already given is not given again), so the
sweeps are idempotent and safe to re-run after a crash. Someone who restricted the processing
of their data gets no reminders (``consent.processing``). The notices carry no content.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mentorhaven.consent import processing
from mentorhaven.matching.models import ParticipantRole, Profile, Question
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.notifications import relationship_link
from mentorhaven.messaging.notices import Kind, already_told, notify
from mentorhaven.programs.models import Membership

QUESTIONNAIRE_GRACE = timedelta(days=3)  # after joining, before the first (and only) reminder
LAPSE_WARNING = timedelta(days=2)  # before a request's answer window closes


def questionnaire_reminders_send(*, now=None) -> int:
    """Policy: a mentee or mentor who joined a program at least three days ago, whose program
    asks them questions, and who has not answered the questionnaire, is reminded once.
    Returns the number of people reminded."""
    now = now or timezone.now()
    programs_asking = {
        role: set(
            Question.objects.filter(
                Q(audience=Question.Audience.BOTH) | Q(audience=role)
            ).values_list("program_id", flat=True)
        )
        for role in ParticipantRole.values
    }
    due = Membership.objects.filter(
        role__in=ParticipantRole.values, created_at__lte=now - QUESTIONNAIRE_GRACE
    ).select_related("program")
    answered = set(Profile.objects.values_list("program_id", "user_id", "role"))
    reminded = 0
    candidates = [
        m
        for m in due.iterator()
        if m.program_id in programs_asking[m.role]
        and (m.program_id, m.user_id, m.role) not in answered
    ]
    reachable = processing.allowed(processing.REMINDERS, {m.user_id for m in candidates})
    for membership in candidates:
        if membership.user_id not in reachable:
            continue
        link = reverse(
            "matching_questionnaire",
            kwargs={"program_id": membership.program.public_id, "role": membership.role},
        )
        with transaction.atomic():
            user_id = membership.user_id
            if already_told(user_id=user_id, kind=Kind.QUESTIONNAIRE_REMINDER, link=link):
                continue
            reminded += len(
                notify(user_ids=[membership.user_id], kind=Kind.QUESTIONNAIRE_REMINDER, link=link)
            )
    return reminded


def request_lapse_warnings_send(*, now=None) -> int:
    """Policy: two days before a proposed relationship's answer window closes, each participant
    who has not answered yet is told once that it will lapse. Returns the number told."""
    now = now or timezone.now()
    due = Relationship.objects.filter(
        status=Relationship.Status.PROPOSED,
        respond_by__gt=now,
        respond_by__lte=now + LAPSE_WARNING,
    )
    told = 0
    for relationship in due.iterator():
        waiting = []
        if relationship.mentor_accepted_at is None:
            waiting.append(relationship.mentor_id)
        if relationship.mentee_accepted_at is None and relationship.source != "self_match":
            waiting.append(relationship.mentee_id)
        link = relationship_link(relationship)
        reachable = processing.allowed(processing.REMINDERS, waiting)
        with transaction.atomic():
            fresh = [
                uid
                for uid in waiting
                if uid in reachable
                and not already_told(user_id=uid, kind=Kind.REQUEST_LAPSING, link=link)
            ]
            told += len(notify(user_ids=fresh, kind=Kind.REQUEST_LAPSING, link=link))
    return told
