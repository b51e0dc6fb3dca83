"""Reads about relationships; visibility is part of every query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from mentorhaven.kernel import audit
from mentorhaven.mentoring.access import content_relationships, visible_relationships
from mentorhaven.mentoring.domain import (
    DEFAULT_MIN_GROUP_SIZE,
    RatingSummary,
    completion_rate,
    rating_summary,
)
from mentorhaven.mentoring.models import (
    CalendarFeed,
    ClosingSurvey,
    Feedback,
    Goal,
    Meeting,
    Milestone,
    Note,
    Relationship,
)
from mentorhaven.programs.models import Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def relationships_for(*, viewer: User, status: str | None = None) -> QuerySet[Relationship]:
    qs = visible_relationships(viewer).select_related("program", "mentee", "mentor")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-proposed_at")


def my_relationships(*, viewer: User) -> QuerySet[Relationship]:
    """The viewer's own relationships as mentee or mentor (not those they oversee)."""
    return (
        Relationship.objects.filter(Q(mentee=viewer) | Q(mentor=viewer))
        .select_related("program", "mentee", "mentor")
        .order_by("-proposed_at")
    )


# --- inside a relationship (the caller has passed access_relationship_content) -------------------
#
# Reading someone else's text records one access event per list read and per person whose text
# was shown (subject = the writer), so it appears on their "Who accessed my data" page. One
# event per list, not per item: the log says who looked at what and when, and the query count
# of a list stays flat.


def _role_of(viewer: User, relationship: Relationship) -> str:
    return "mentor" if viewer.pk == relationship.mentor_id else "mentee"


def _record_reads(
    *, viewer: User, relationship: Relationship, writers: set[int], category: str, purpose: str
) -> None:
    people = {
        relationship.mentee_id: relationship.mentee,
        relationship.mentor_id: relationship.mentor,
    }
    audit.record_access(  # one event per writer read, in one INSERT
        viewer=viewer,
        subjects=[people[writer_id] for writer_id in sorted(writers - {viewer.pk})],
        category=category,
        target=relationship,
        purpose=purpose,
        actor_role=_role_of(viewer, relationship),
        organization=relationship.program.organization_id,
    )


@transaction.atomic
def goals_for(*, viewer: User, relationship: Relationship) -> list[Goal]:
    """The mentee's goals with milestones and progress updates (decrypted on read)."""
    goals = list(
        Goal.objects.filter(relationship=relationship)
        .prefetch_related("milestones", "updates")
        .order_by("created_at")
    )
    if goals:
        _record_reads(
            viewer=viewer,
            relationship=relationship,
            writers={relationship.mentee_id},
            category="personal",
            purpose="Mentor read the mentee's goals",
        )
    return goals


@transaction.atomic
def goal_read(*, viewer: User, goal: Goal) -> Goal:
    relationship = goal.relationship
    _record_reads(
        viewer=viewer,
        relationship=relationship,
        writers={goal.owner_id},
        category="personal",
        purpose="Mentor read a goal of the mentee",
    )
    return goal


def notes_visible_to(*, viewer: User, relationship: Relationship) -> QuerySet[Note]:
    return Note.objects.filter(relationship=relationship).filter(Q(author=viewer) | Q(shared=True))


@transaction.atomic
def notes_for(*, viewer: User, relationship: Relationship) -> list[Note]:
    """The viewer's own notes, private or shared, and the other participant's shared notes."""
    notes = list(
        notes_visible_to(viewer=viewer, relationship=relationship)
        .select_related("author")
        .order_by("-created_at")
    )
    _record_reads(
        viewer=viewer,
        relationship=relationship,
        writers={n.author_id for n in notes},
        category="platform",
        purpose="Read shared session notes",
    )
    return notes


@transaction.atomic
def note_read(*, viewer: User, note: Note) -> Note:
    _record_reads(
        viewer=viewer,
        relationship=note.relationship,
        writers={note.author_id},
        category="platform",
        purpose="Read a shared session note",
    )
    return note


@transaction.atomic
def meetings_for(*, viewer: User, relationship: Relationship) -> list[Meeting]:
    meetings = list(
        Meeting.objects.filter(relationship=relationship)
        .select_related("proposed_by")
        .order_by("-created_at")
    )
    _record_reads(
        viewer=viewer,
        relationship=relationship,
        writers={m.proposed_by_id for m in meetings if m.agenda is not None},
        category="platform",
        purpose="Read meeting agendas",
    )
    return meetings


def my_ratings(*, viewer: User, relationship: Relationship) -> dict[int, int]:
    """The viewer's own ratings per meeting id (nobody else's)."""
    return dict(
        Feedback.objects.filter(author=viewer, meeting__relationship=relationship).values_list(
            "meeting_id", "rating"
        )
    )


# --- metadata for admins: counts and rates, never text --------------------------------------------


@dataclass(frozen=True)
class RelationshipFigures:
    relationship: Relationship
    goals: int
    goals_done: int
    milestones: int
    milestones_done: int
    meetings_scheduled: int
    notes: int  # shared notes only; private notes are not counted for anyone

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.goals_done, self.goals)


@dataclass(frozen=True)
class ProgramFigures:
    relationships: list[RelationshipFigures]  # one page of them (newest first)
    page: Page
    goals: int
    goals_done: int
    meetings_scheduled: int
    feedback: RatingSummary

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.goals_done, self.goals)


def _count(model, path: str, **conditions):
    rows = (
        model.objects.filter(**{path: OuterRef("pk")}, **conditions)
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


RELATIONSHIPS_PER_PAGE = 50


def program_figures(
    *, viewer: User, program: Program, page: int | str | None = 1
) -> ProgramFigures:
    """What a program's admins, org admins and auditors may know about its relationships: who,
    status and counts, one page of relationships at a time (the program's totals are counted
    in the database). No text, and feedback only as an aggregate over a large enough group.
    The caller has passed ``access_program_oversight``."""
    visible = visible_relationships(viewer).filter(program=program)
    annotated = (
        visible.select_related("mentee", "mentor")
        .annotate(
            n_goals=_count(Goal, "relationship"),
            n_goals_done=_count(Goal, "relationship", status=Goal.Status.DONE),
            n_milestones=_count(Milestone, "goal__relationship"),
            n_milestones_done=_count(Milestone, "goal__relationship", done=True),
            n_meetings=_count(Meeting, "relationship", status=Meeting.Status.SCHEDULED),
            # Shared notes only: how many private notes someone keeps is theirs alone.
            n_notes=_count(Note, "relationship", shared=True),
        )
        .order_by("-proposed_at", "-pk")
    )
    shown = Paginator(annotated, RELATIONSHIPS_PER_PAGE).get_page(page)
    rows = [
        RelationshipFigures(
            relationship=r,
            goals=r.n_goals,
            goals_done=r.n_goals_done,
            milestones=r.n_milestones,
            milestones_done=r.n_milestones_done,
            meetings_scheduled=r.n_meetings,
            notes=r.n_notes,
        )
        for r in shown.object_list
    ]
    goals = Goal.objects.filter(relationship__in=visible).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=Goal.Status.DONE))
    )
    meetings = Meeting.objects.filter(
        relationship__in=visible, status=Meeting.Status.SCHEDULED
    ).count()
    # Who is matched with whom, and how their relationship goes, is about the people listed:
    # the page shown is one read on the record, naming them all.
    audit.record_access(
        viewer=viewer,
        subjects=sorted({p for r in rows for p in r.relationship.participant_ids()}),
        action="program.overview_read",
        category="program",
        target=program,
        purpose="Oversee a program's relationships",
        organization=program.organization_id,
    )
    return ProgramFigures(
        relationships=rows,
        page=shown,
        goals=goals["total"],
        goals_done=goals["done"],
        meetings_scheduled=meetings,
        feedback=feedback_summary(program=program),
    )


def feedback_summary(*, program: Program) -> RatingSummary:
    """Ratings of a program's meetings, suppressed below ``min_group_size`` responses."""
    rows = Feedback.objects.filter(meeting__relationship__program=program)
    ratings = list(rows.values_list("rating", flat=True))
    comments = rows.filter(comment__isnull=False).count()
    size = program.settings.get("min_group_size", DEFAULT_MIN_GROUP_SIZE)
    return rating_summary(ratings, comments, min_group_size=size)


def closing_survey_summary(*, program: Program) -> RatingSummary:
    """Closing-survey ratings of a program, suppressed below ``min_group_size`` answers: the
    only way an admin ever sees them (never one pair's)."""
    rows = ClosingSurvey.objects.filter(relationship__program=program)
    ratings = list(rows.values_list("rating", flat=True))
    comments = rows.filter(comment__isnull=False).count()
    size = program.settings.get("min_group_size", DEFAULT_MIN_GROUP_SIZE)
    return rating_summary(ratings, comments, min_group_size=size)


def my_closing_survey(*, viewer: User, relationship: Relationship) -> ClosingSurvey | None:
    """The viewer's own answer to the closing survey, if any (nobody reads another's)."""
    return ClosingSurvey.objects.filter(relationship=relationship, author=viewer).first()


@dataclass(frozen=True)
class Completion:
    """What the mentee's completion summary shows: no goal titles, only how many were met."""

    program: str
    mentor: str
    mentee: str
    started_at: object
    ended_at: object
    goals_done: int
    goals_total: int


def completion_for(*, viewer: User, relationship: Relationship) -> Completion:
    """The completion summary of a relationship completed with its goals met, for its mentee
    (the caller passed ``access_relationship_content`` and checked both)."""
    goals = Goal.objects.filter(relationship=relationship).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status=Goal.Status.DONE))
    )
    return Completion(
        program=relationship.program.name,
        mentor=relationship.mentor.name,
        mentee=relationship.mentee.name,
        started_at=relationship.started_at,
        ended_at=relationship.ended_at,
        goals_done=goals["done"],
        goals_total=goals["total"],
    )


# --- calendar ----------------------------------------------------------------------------------


def calendar_owner(token: str):
    """The person whose private feed ``token`` opens, or None (unknown or revoked)."""
    from mentorhaven.mentoring.domain import calendar_token_hash

    if not token or len(token) > 200:
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=calendar_token_hash(token))
        .select_related("user")
        .first()
    )
    return feed.user if feed and feed.user.is_active else None


def meeting_for_calendar(*, viewer: User, meeting: Meeting) -> Meeting:
    """One meeting for the viewer's own calendar (time and place, never the agenda); the
    place is its proposer's text, so the download is a read on the record."""
    relationship = meeting.relationship
    _record_reads(
        viewer=viewer,
        relationship=relationship,
        writers={meeting.proposed_by_id} if meeting.location else set(),
        category="platform",
        purpose="Add a meeting to a calendar",
    )
    return meeting


def calendar_meetings_for(*, viewer: User) -> QuerySet[Meeting]:
    """The viewer's scheduled meetings in relationships they may still see inside."""
    return Meeting.objects.filter(
        relationship__in=content_relationships(viewer), status=Meeting.Status.SCHEDULED
    ).order_by("starts_at")
