"""What a data export holds from the mentoring app (privacy/export/registry.py).

A person gets what the pages show them (``mentoring.access.content_relationships``) and all of
their own writing: their relationships, their own goals (with progress and milestones), the meetings
of their relationships, the notes they wrote and the notes shared with them, and the feedback
they gave. What the other participant wrote and shared is theirs too (a shared note, a meeting's
place): writing it out is recorded as a read of that person's data, like reading it on a page.
Private notes of the other participant and their feedback are never included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorhaven.mentoring.access import content_relationships
from mentorhaven.mentoring.models import (
    ClosingSurvey,
    Feedback,
    Goal,
    GoalUpdate,
    Meeting,
    Milestone,
    Note,
    Relationship,
)
from mentorhaven.privacy.export.registry import Section, exclude, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

BATCH = 1000


def _relationships(user: User):
    return Relationship.objects.filter(Q(mentee=user) | Q(mentor=user))


def relationship_rows(context):
    user = context.user
    for r in _relationships(user).select_related("program").order_by("proposed_at"):
        yield {
            "id": r.public_id,
            "program": r.program.name,
            "your_role": "mentee" if r.mentee_id == user.pk else "mentor",
            "mentor": context.name_of(r.mentor_id),
            "mentee": context.name_of(r.mentee_id),
            "status": r.status,
            "how": r.source,
            "proposed": r.proposed_at,
            "started": r.started_at,
            "ended": r.ended_at,
            "end_reason": r.end_reason,
            "ended_by": context.name_of(r.ended_by_id),
            # Their own note on why it ended; never the other participant's.
            "your_end_note": r.end_note if r.ended_by_id == user.pk else None,
        }


def goal_rows(context):
    user = context.user
    goals = Goal.objects.filter(owner=user).select_related("relationship")
    for goal in goals.order_by("created_at").iterator(chunk_size=BATCH):
        yield {
            "record": "goal",
            "id": goal.public_id,
            "relationship": goal.relationship.public_id,
            "goal": None,
            "title": goal.title,
            "text": goal.description,
            "status": goal.status,
            "due": None,
            "when": goal.created_at,
        }
    updates = GoalUpdate.objects.filter(owner=user).select_related("goal")
    for update in updates.order_by("created_at").iterator(chunk_size=BATCH):
        yield {
            "record": "progress_update",
            "id": update.public_id,
            "relationship": None,
            "goal": update.goal.public_id,
            "title": None,
            "text": update.body,
            "status": None,
            "due": None,
            "when": update.created_at,
        }
    milestones = Milestone.objects.filter(owner=user).select_related("goal")
    for milestone in milestones.order_by("pk").iterator(chunk_size=BATCH):
        yield {
            "record": "milestone",
            "id": milestone.public_id,
            "relationship": None,
            "goal": milestone.goal.public_id,
            "title": milestone.title,
            "text": None,
            "status": "done" if milestone.done else "open",
            "due": milestone.due_on,
            "when": milestone.done_at,
        }


def meeting_rows(context):
    user = context.user
    meetings = Meeting.objects.filter(
        Q(relationship__in=content_relationships(user)) | Q(proposed_by=user)
    ).select_related("relationship")
    for meeting in meetings.order_by("created_at").iterator(chunk_size=BATCH):
        if meeting.location or meeting.agenda:
            context.read_from(meeting.proposed_by_id, "personal")
        yield {
            "id": meeting.public_id,
            "relationship": meeting.relationship.public_id,
            "proposed_by": context.name_of(meeting.proposed_by_id),
            "status": meeting.status,
            "times_proposed": meeting.slots,
            "starts": meeting.starts_at,
            "minutes": meeting.duration_minutes,
            "place": meeting.location,
            "agenda": meeting.agenda,
            "proposed": meeting.created_at,
        }


def note_rows(context):
    user = context.user
    # The same rule as the pages: shared notes of relationships whose inside the person sees
    # (the mentor's view ends with the relationship); their own notes always.
    shared_with_me = Q(shared=True, relationship__in=content_relationships(user))
    notes = Note.objects.filter(Q(author=user) | shared_with_me).select_related("relationship")
    for note in notes.order_by("created_at", "pk").iterator(chunk_size=BATCH):
        context.read_from(note.author_id, "personal")
        yield {
            "id": note.public_id,
            "relationship": note.relationship.public_id,
            "author": context.name_of(note.author_id),
            "shared": note.shared,
            "text": note.body,
            "written": note.created_at,
            "changed": note.updated_at,
        }


def feedback_rows(context):
    feedback = Feedback.objects.filter(author=context.user).select_related("meeting")
    for item in feedback.order_by("created_at").iterator(chunk_size=BATCH):
        yield {
            "meeting": item.meeting.public_id,
            "rating": item.rating,
            "comment": item.comment,
            "given": item.created_at,
        }


def closing_survey_rows(context):
    surveys = ClosingSurvey.objects.filter(author=context.user).select_related("relationship")
    for item in surveys.order_by("created_at").iterator(chunk_size=BATCH):
        yield {
            "relationship": item.relationship.public_id,
            "rating": item.rating,
            "comment": item.comment,
            "given": item.created_at,
        }


register(
    Section(
        key="relationships",
        title=_("Your mentoring relationships"),
        models=("mentoring.Relationship",),
        rows=relationship_rows,
        source=_("Made by the program's matching, a request, or an admin"),
        order=40,
    )
)
register(
    Section(
        key="goals",
        title=_("Your goals, progress updates and milestones"),
        models=("mentoring.Goal", "mentoring.GoalUpdate", "mentoring.Milestone"),
        rows=goal_rows,
        source=_("Written by you"),
        order=41,
    )
)
register(
    Section(
        key="meetings",
        title=_("Meetings of your relationships"),
        models=("mentoring.Meeting",),
        rows=meeting_rows,
        source=_("Proposed by you or the other participant"),
        order=42,
    )
)
register(
    Section(
        key="notes",
        title=_("Session notes you wrote, and notes shared with you"),
        models=("mentoring.Note",),
        rows=note_rows,
        source=_("Written by you, or by the other participant and shared with you"),
        order=43,
    )
)
register(
    Section(
        key="feedback",
        title=_("Feedback you gave after meetings"),
        models=("mentoring.Feedback",),
        rows=feedback_rows,
        source=_("Written by you"),
        order=44,
    )
)
register(
    Section(
        key="closing_surveys",
        title=_("Your closing surveys"),
        models=("mentoring.ClosingSurvey",),
        rows=closing_survey_rows,
        source=_("Written by you"),
        order=45,
    )
)
exclude(
    "mentoring.CalendarFeed",
    "holds only a hash of your calendar feed's secret address, which cannot be turned back "
    "into the address; your meetings themselves are in the meetings section",
)
