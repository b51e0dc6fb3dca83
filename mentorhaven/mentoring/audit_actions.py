"""Audit actions of mentoring: relationships, goals, meetings, notes (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare(
    "relationship.propose", category="program", sentence=_("{actor} proposed a mentoring match")
)
declare("relationship.accept", category="program", sentence=_("{actor} accepted a mentoring match"))
declare(
    "relationship.decline", category="program", sentence=_("{actor} declined a mentoring match")
)
declare(
    "relationship.end", category="program", sentence=_("{actor} ended your mentoring relationship")
)
declare(
    "relationship.complete",
    category="program",
    sentence=_("{actor} completed your mentoring relationship"),
)
declare(
    "relationship.pause",
    category="program",
    sentence=_("{actor} paused your mentoring relationship"),
)
declare(
    "relationship.resume",
    category="program",
    sentence=_("{actor} resumed your mentoring relationship"),
)
declare(
    "relationship.idle_warn",
    category="program",
    sentence=_("{actor} reminded you of an idle mentoring relationship"),
)
declare("goal.create", category="personal", sentence=_("{actor} added a goal"))
declare("goal.update", category="personal", sentence=_("{actor} changed a goal"))
declare("goal.progress", category="personal", sentence=_("{actor} noted progress on a goal"))
declare("milestone.create", category="personal", sentence=_("{actor} added a milestone"))
declare("milestone.done", category="personal", sentence=_("{actor} marked a milestone done"))
declare("milestone.reopen", category="personal", sentence=_("{actor} reopened a milestone"))
declare("meeting.propose", category="platform", sentence=_("{actor} proposed a meeting"))
declare("meeting.accept", category="platform", sentence=_("{actor} accepted a meeting"))
declare("meeting.decline", category="platform", sentence=_("{actor} declined a meeting"))
declare("meeting.cancel", category="platform", sentence=_("{actor} cancelled a meeting"))
declare("meeting.remind", category="platform", sentence=_("{actor} sent you a meeting reminder"))
declare(
    "closing_survey.give",
    category="analytical",
    sentence=_("{actor} answered the closing survey of a mentoring relationship"),
)
declare("feedback.give", category="analytical", sentence=_("{actor} gave feedback on a meeting"))
declare(
    "calendar_feed.create",
    category="platform",
    sentence=_("{actor} made a private calendar feed address"),
)
declare(
    "calendar_feed.revoke",
    category="platform",
    sentence=_("{actor} revoked your private calendar feed address"),
)
declare("note.create", category="platform", sentence=_("{actor} wrote a session note"))
declare("note.edit", category="platform", sentence=_("{actor} edited a session note"))
declare("note.delete", category="platform", sentence=_("{actor} deleted a session note"))
# The program overview (who is matched with whom, and counts): one event per page shown.
declare(
    "program.overview_read",
    category="program",
    sentence=_("{actor} viewed the program overview, which lists your mentoring relationship"),
)
