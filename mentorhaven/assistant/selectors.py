"""Reads of the assistant: whether a feature is available to a person (and if not, why), and
every AI use of a person's data, from the audit log, for their privacy page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mentorhaven.assistant import gateway
from mentorhaven.assistant.features import FEATURES, KIND_LABELS
from mentorhaven.community.models import ConfidentialAnswer, SurveyQuestion
from mentorhaven.consent import processing
from mentorhaven.kernel import audit
from mentorhaven.mentoring.models import Goal, Note

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User
    from mentorhaven.mentoring.models import Relationship
    from mentorhaven.programs.models import Organization

# The newest shared notes a meeting agenda reads: enough for the next meeting, a bounded prompt.
AGENDA_NOTES = 10

OFF = "off"  # the organization has not turned AI assistance on
NO_CONSENT = "no_consent"
AVAILABLE = "available"


@dataclass(frozen=True)
class Availability:
    state: str  # AVAILABLE, OFF or NO_CONSENT

    @property
    def available(self) -> bool:
        return self.state == AVAILABLE


def availability(*, viewer: User, organization: Organization | int) -> Availability:
    """Whether the viewer may use AI assistance on their own data in ``organization`` now."""
    config = gateway.settings_for(organization)
    if config is None or not config.configured:
        return Availability(OFF)
    if not processing.may_process(viewer, gateway.AI):
        return Availability(NO_CONSENT)
    return Availability(AVAILABLE)


def open_goals(*, relationship: Relationship) -> list[Goal]:
    """The mentee's open goals, for a prompt (the gateway records the read, per person)."""
    return list(
        Goal.objects.filter(relationship=relationship, status=Goal.Status.OPEN)
        .select_related("owner")
        .order_by("created_at")
    )


def shared_notes(*, relationship: Relationship) -> list[Note]:
    """The newest notes either participant shared; private notes are never selected."""
    return list(
        Note.objects.filter(relationship=relationship, shared=True)
        .select_related("author")
        .order_by("-created_at")[:AGENDA_NOTES]
    )


def consenting_survey_texts(*, question: SurveyQuestion) -> list[ConfidentialAnswer]:
    """The written answers to a confidential survey question whose respondents consent to AI
    assistance now (and have no restriction). Anonymous answers are never returned: nobody
    can be asked for consent, and their anonymity is the promise."""
    answers = list(
        ConfidentialAnswer.objects.filter(question=question, text__isnull=False).select_related(
            "respondent"
        )
    )
    allowed = processing.allowed(gateway.AI, {a.respondent_id for a in answers})
    return [a for a in answers if a.respondent_id in allowed and str(a.text or "").strip()]


@dataclass(frozen=True)
class AiUse:
    feature: str  # its label, e.g. "Goal coach"
    at: datetime
    kinds: list[str]  # what was sent, e.g. ["goals"]
    outcome: str


ACTIONS = tuple(f"assistant.{code}" for code in FEATURES)


def ai_uses_about(*, viewer: User, limit: int = 100) -> list[AiUse]:
    """Every AI use of the viewer's data, newest first: the gateway records one event per call
    and per person whose data it sent (their own data: no access event)."""
    uses = []
    for event in audit.recent_events_about(viewer, actions=ACTIONS, limit=limit):
        extra: dict[str, Any] = event.extra or {}
        code = str(extra.get("feature", ""))
        feature = FEATURES.get(code)
        uses.append(
            AiUse(
                feature=str(feature.label) if feature else code,
                at=event.occurred_at,
                kinds=[str(KIND_LABELS.get(k, k)) for k in extra.get("kinds", [])],
                outcome=str(extra.get("outcome", "")),
            )
        )
    return uses
