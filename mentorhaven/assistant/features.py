"""The assistant's features: what each asks the model, and from which inventory fields its
prompt is built. ``PROMPT_FIELDS`` lists every field any feature sends; the system check
(``checks.py``) fails start-up when one is not declared usable for AI in the inventory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from mentorhaven.assistant.gateway import Feature, Piece

if TYPE_CHECKING:
    from mentorhaven.mentoring.models import Goal, Note

GOAL_TITLE = "mentoring.goal.title"
GOAL_DESCRIPTION = "mentoring.goal.description"
MILESTONE_TITLE = "mentoring.milestone.title"
NOTE_BODY = "mentoring.note.body"
SURVEY_TEXT = "community.confidentialanswer.text"
PROMPT_FIELDS = (GOAL_TITLE, GOAL_DESCRIPTION, MILESTONE_TITLE, NOTE_BODY, SURVEY_TEXT)

GOAL_COACH = Feature(
    code="goal_coach",
    label=_("Goal coach"),
    instructions=(
        "You are a mentoring goal coach. Turn the mentee's rough goal into one specific, "
        "measurable goal with two or three milestones, in the mentee's language. Answer with "
        'JSON only: {"title": "...", "description": "...", "milestones": ["...", "..."]}. '
        "The title is at most 120 characters; each milestone is one short sentence."
    ),
    max_tokens=500,
)
MEETING_AGENDA = Feature(
    code="meeting_agenda",
    label=_("Meeting agenda"),
    instructions=(
        "You help a mentor and a mentee prepare their next meeting. From the mentee's goals and "
        "the notes both of them shared, suggest three to six short agenda points. Answer with "
        'JSON only: {"points": ["...", "..."]}.'
    ),
    max_tokens=400,
)
CONVERSATION_PROMPTS = Feature(
    code="conversation_prompts",
    label=_("Conversation prompts"),
    instructions=(
        "You help a mentor prepare the next session. From the mentee's shared goals, suggest "
        "three to five open questions the mentor could ask. Answer with JSON only: "
        '{"points": ["...", "..."]}.'
    ),
    max_tokens=400,
)

PROGRAM_THEMES = Feature(
    code="program_themes",
    label=_("Program themes"),
    instructions=(
        "You help a mentoring program's coordinator understand a survey. From the free-text "
        "answers below (one per line), name three to six themes, each a short phrase in your "
        "own words. Never quote an answer, never describe or identify a single person, never "
        'mention a placeholder. Answer with JSON only: {"points": ["...", "..."]}.'
    ),
    max_tokens=400,
)

FEATURES = {f.code: f for f in (GOAL_COACH, MEETING_AGENDA, CONVERSATION_PROMPTS, PROGRAM_THEMES)}
# What the person is told the suggestion used, per kind of data.
KIND_LABELS = {
    "goals": _("goals"),
    "milestones": _("milestones"),
    "shared_notes": _("shared notes"),
    "survey_answers": _("survey answers"),
}


def goal_pieces(goal: Goal, *, milestones: list[str] | None = None) -> list[Piece]:
    """The goal's title, description and milestones, as the mentee's data."""
    owner = goal.owner
    pieces = [Piece(GOAL_TITLE, owner, str(goal.title), "goals")]
    if goal.description:
        pieces.append(Piece(GOAL_DESCRIPTION, owner, str(goal.description), "goals"))
    for title in milestones or []:
        pieces.append(Piece(MILESTONE_TITLE, owner, title, "milestones"))
    return pieces


def shared_note_pieces(notes: list[Note]) -> list[Piece]:
    """Shared notes only: a private note is refused here whoever passes it."""
    pieces = []
    for note in notes:
        if not note.shared:
            raise ValueError("a private note never goes into a prompt")
        pieces.append(Piece(NOTE_BODY, note.author, str(note.body), "shared_notes"))
    return pieces
