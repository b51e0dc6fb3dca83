"""Audit actions of the AI assistant: one event per call and per person whose data was sent
(kernel/audit/actions.py). The events hold the feature, the kinds of data and how many
placeholders replaced identifiers, the model and the token counts; never a prompt or answer."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare(
    "assistant.goal_coach",
    sentence=_("{actor} used the goal coach (AI) on your goals"),
)
declare(
    "assistant.meeting_agenda",
    sentence=_(
        "{actor} asked the AI assistant for a meeting agenda from your goals and shared notes"
    ),
)
declare(
    "assistant.conversation_prompts",
    sentence=_("{actor} asked the AI assistant for conversation prompts from your shared goals"),
)
declare(
    "assistant.program_themes",
    sentence=_(
        "{actor} asked the AI assistant for program themes that included your survey answers"
    ),
)
declare(
    "assistant.settings",
    category="program",
    sentence=_("{actor} changed the organization's AI assistant settings"),
)
