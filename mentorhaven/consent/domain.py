"""Pure rules of consent and data requests: the purposes and their texts, and deadlines."""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    MATCHING_SENSITIVE = "matching_sensitive", _("Matching with sensitive answers")
    ANALYTICS = "engagement_analytics", _("Engagement analytics")
    AI = "ai_features", _("AI features")


class Method(models.TextChoices):
    PRIVACY_PAGE = "privacy_page", _("On the privacy page")
    QUESTIONNAIRE = "questionnaire", _("In the matching questionnaire")
    API = "api", _("Through the API")
    MIGRATED = "migrated", _("Carried over from an earlier per-question consent")
    SYSTEM = "system", _("By MentorHaven (consequence of another change)")


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    text: str

    @property
    def sha256(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The exact words a person agrees to. Changing a text means a new version: records keep the
# version and the hash of the words, so what someone agreed to can always be shown.
TEXTS: dict[str, ConsentText] = {
    Purpose.MATCHING_SENSITIVE: ConsentText(
        Purpose.MATCHING_SENSITIVE,
        "2026-12",
        "I agree that MentorHaven stores my answers to questions marked sensitive (such as "
        "gender, ethnicity, health or personality), encrypted under my own key, and uses them "
        "only to find a mentoring match for me. They are never shown to anyone. I can withdraw "
        "this at any time; my sensitive answers are then deleted and removed from every score.",
    ),
    Purpose.ANALYTICS: ConsentText(
        Purpose.ANALYTICS,
        "2026-12",
        "I agree that my participation (for example whether I was matched, and the fit of my "
        "match) is counted in my program's analytics, such as the fairness report. Only "
        "aggregates of large enough groups are ever shown. I can withdraw this at any time.",
    ),
    # 2026-12-ai: says what the AI assistance of issue 16 actually sends, and to whom.
    Purpose.AI: ConsentText(
        Purpose.AI,
        "2026-12-ai",
        "I agree that MentorHaven's AI assistance may send my goals, milestones, shared notes "
        "and written answers to confidential surveys, with names, e-mail addresses and phone "
        "numbers replaced, to my organization's own AI model: for suggestions to me, to my "
        "mentoring partner (a meeting agenda, conversation prompts) and, only as themes drawn "
        "from many answers, to my program's coordinators. Nothing it writes is kept unless the "
        "person it is for accepts it. I can withdraw this at any time.",
    ),
}

# The label of the per-question consent box that the matching questionnaire showed before
# purpose-based consent existed; records migrated from it keep this text's hash.
LEGACY_MATCHING_TEXT = ConsentText(
    Purpose.MATCHING_SENSITIVE,
    "per-question",
    "Use this answer for matching (you can withdraw this at any time)",
)


def add_one_month(moment: datetime) -> datetime:
    """The same day of the next month; when that month is shorter, its last day (a request
    received on 31 January is due on 28 or 29 February)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def is_overdue(*, due_at: datetime, closed: bool, now: datetime) -> bool:
    return not closed and now > due_at
