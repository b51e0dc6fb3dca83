"""Every write of the mentoring app (STYLE.md #1): one module per entity, re-exported here so
callers import ``mentorhaven.mentoring.services``.

Whose key encrypts what: goal descriptions and progress updates, the mentee's; notes and
feedback comments, their author's; a meeting agenda, the key of whoever proposed the meeting.
"""

from mentorhaven.mentoring.services.completion import closing_survey_give
from mentorhaven.mentoring.services.goals import (
    goal_create,
    goal_progress_add,
    goal_update,
    milestone_add,
    milestone_set_done,
)
from mentorhaven.mentoring.services.meetings import (
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_token_hash,
    feedback_give,
    meeting_accept,
    meeting_cancel,
    meeting_decline,
    meeting_propose,
    meeting_remind,
)
from mentorhaven.mentoring.services.notes import note_create, note_delete, note_edit
from mentorhaven.mentoring.services.relationships import (
    DEFAULT_AGREEMENT,
    agreement_text,
    relationship_accept,
    relationship_decline,
    relationship_end,
    relationship_end_on_erasure,
    relationship_ending_warn,
    relationship_idle_warn,
    relationship_pause,
    relationship_propose,
    relationship_rematch,
    relationship_resume,
    relationship_touch,
)

__all__ = [
    "DEFAULT_AGREEMENT",
    "agreement_text",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "calendar_token_hash",
    "closing_survey_give",
    "feedback_give",
    "goal_create",
    "goal_progress_add",
    "goal_update",
    "meeting_accept",
    "meeting_cancel",
    "meeting_decline",
    "meeting_propose",
    "meeting_remind",
    "milestone_add",
    "milestone_set_done",
    "note_create",
    "note_delete",
    "note_edit",
    "relationship_accept",
    "relationship_decline",
    "relationship_end",
    "relationship_end_on_erasure",
    "relationship_ending_warn",
    "relationship_idle_warn",
    "relationship_pause",
    "relationship_propose",
    "relationship_rematch",
    "relationship_resume",
    "relationship_touch",
]
