"""Engagement insights: which relationships may need help, and why — only for people who
consented to engagement analytics (``consent.Purpose.ANALYTICS``).

A relationship is looked at only when *both* of its people consent now (and neither restricted
processing): every signal is about the pair (their meetings, their messages, the mentee's goals),
so one person's consent cannot open the other's activity to analysis. Signals are computed when
asked, never stored: withdrawing consent removes them at once, everywhere.

Each flag carries its reasons (``Reason``): nothing is flagged without saying why. A participant
sees the signals about their own relationships (``my_signals``), or that none are computed and
why; the program's admins see only the flagged consenting pairs (``at_risk``), each read audited
and naming the pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.processing import allowed
from mentorhaven.kernel import audit
from mentorhaven.mentoring.models import Meeting, Milestone, Relationship
from mentorhaven.messaging.models import Message
from mentorhaven.programs.models import Program

IDLE_DAYS = 30  # no meeting held for this long (or since the start) is a signal
WINDOW_DAYS = 30  # messages in the last window compared with the window before
FALLING_FROM = 4  # the earlier window must have had this many messages for a fall to count
LIVE = (Relationship.Status.ACTIVE, Relationship.Status.PAUSED)


@dataclass(frozen=True)
class Reason:
    code: str  # no_meeting, falling_messages, overdue_goals
    text: str


@dataclass(frozen=True)
class Activity:
    """What a relationship's signals are computed from (counts and dates only)."""

    started_at: datetime | None
    last_meeting: datetime | None
    messages_recent: int
    messages_before: int
    overdue_milestones: int


def reasons(activity: Activity, *, now: datetime, idle_days: int = IDLE_DAYS) -> list[Reason]:
    """The reasons a relationship looks at risk (empty: it does not). Pure."""
    out = []
    since = activity.last_meeting or activity.started_at
    if since is not None and now - since >= timedelta(days=idle_days):
        days = (now - since).days
        if activity.last_meeting is None:
            text = _("No meeting held since the relationship started %(days)d days ago.")
        else:
            text = _("No meeting held in the last %(days)d days.")
        out.append(Reason("no_meeting", text % {"days": days}))
    if (
        activity.messages_before >= FALLING_FROM
        and activity.messages_recent * 2 < activity.messages_before
    ):
        out.append(
            Reason(
                "falling_messages",
                _(
                    "Messages fell from %(before)d in the %(days)d days before to %(recent)d "
                    "in the last %(days)d days."
                )
                % {
                    "before": activity.messages_before,
                    "recent": activity.messages_recent,
                    "days": WINDOW_DAYS,
                },
            )
        )
    if activity.overdue_milestones:
        out.append(
            Reason(
                "overdue_goals",
                _("%(n)d goal milestones are past their due date and not done.")
                % {"n": activity.overdue_milestones},
            )
        )
    return out


@dataclass(frozen=True)
class Flag:
    relationship: Relationship
    reasons: list[Reason]


def _consenting_pairs(relationships) -> set[int]:
    """Ids of the relationships both of whose people consent now (two queries at most)."""
    rows = list(relationships.values_list("pk", "mentee_id", "mentor_id"))
    ok = allowed(Purpose.ANALYTICS, {p for _pk, *people in rows for p in people})
    return {pk for pk, mentee, mentor in rows if mentee in ok and mentor in ok}


def _activity(relationship_ids: set[int], *, now: datetime, today: date) -> dict[int, Activity]:
    """The activity of each relationship in ``relationship_ids``, in one query for the
    relationships, meetings and milestones and one for messages."""
    recent, before = now - timedelta(days=WINDOW_DAYS), now - timedelta(days=2 * WINDOW_DAYS)
    base = Relationship.objects.filter(pk__in=relationship_ids)
    held = Q(meetings__status=Meeting.Status.SCHEDULED, meetings__starts_at__lte=now)
    meetings = dict(
        base.annotate(last=Max("meetings__starts_at", filter=held)).values_list("pk", "last")
    )
    overdue = dict(
        Milestone.objects.filter(
            goal__relationship_id__in=relationship_ids, done=False, due_on__lt=today
        )
        .values_list("goal__relationship_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    messages = {
        rel: (n_recent, n_before)
        for rel, n_recent, n_before in Message.objects.filter(
            conversation__relationship_id__in=relationship_ids,
            created_at__gte=before,
            deleted_at__isnull=True,
        )
        .values_list("conversation__relationship_id")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=recent)),
            earlier=Count("pk", filter=Q(created_at__lt=recent)),
        )
        .order_by()
    }
    started = dict(base.values_list("pk", "started_at"))
    return {
        pk: Activity(
            started_at=started[pk],
            last_meeting=meetings.get(pk),
            messages_recent=messages.get(pk, (0, 0))[0],
            messages_before=messages.get(pk, (0, 0))[1],
            overdue_milestones=overdue.get(pk, 0),
        )
        for pk in relationship_ids
    }


def at_risk(*, viewer: User, program: Program) -> tuple[list[Flag], int]:
    """The program's live relationships that look at risk, among those whose two people both
    consent, each with its reasons; and how many pairs were looked at. The caller has passed
    ``access_program_report`` (the program's admins, org admins, auditors). The read names every
    flagged pair on their access log."""
    live = Relationship.objects.filter(program=program, status__in=LIVE)
    ids = _consenting_pairs(live)
    now = timezone.now()
    activity = _activity(ids, now=now, today=timezone.localdate())
    found = {pk: r for pk, a in activity.items() if (r := reasons(a, now=now))}
    relationships = Relationship.objects.filter(pk__in=found).select_related("mentee", "mentor")
    flags = [Flag(r, found[r.pk]) for r in relationships.order_by("started_at", "pk")]
    audit.record_access(
        viewer=viewer,
        subjects=sorted({p for f in flags for p in f.relationship.participant_ids()}),
        action="report.insights_read",
        category="program",
        target=program,
        purpose="See which consenting pairs may need support",
        organization=program.organization_id,
    )
    return flags, len(ids)


@dataclass(frozen=True)
class MySignals:
    relationship: Relationship
    computed: bool  # False: one of the two has not consented (or restricted processing)
    reasons: list[Reason]


def my_signals(*, viewer: User) -> list[MySignals]:
    """The signals about the viewer's own live relationships, or that none are computed."""
    mine = Relationship.objects.filter(
        Q(mentee=viewer) | Q(mentor=viewer), status__in=LIVE
    ).select_related("program", "mentee", "mentor")
    ids = _consenting_pairs(mine)
    now = timezone.now()
    activity = _activity(ids, now=now, today=timezone.localdate())
    return [
        MySignals(r, r.pk in ids, reasons(activity[r.pk], now=now) if r.pk in ids else [])
        for r in mine.order_by("started_at", "pk")
    ]
