"""Pure rules of the gates: agreement hashing, the training quiz and its validity, break-glass
time limits. No ORM here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

# The training must be passed again a year after it was last passed.
TRAINING_VALID_FOR = timedelta(days=365)
# Bump when the module or the quiz changes in substance: completions keep the version passed.
TRAINING_MODULE_VERSION = 1
PASS_MARK = 4  # of len(QUIZ) answers right

# Break-glass access is never longer than a day.
MAX_GRANT_HOURS = 24


def text_hash(text: str) -> str:
    """The SHA-256 of an agreement's text, as kept with each acceptance."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def training_valid_since(now: datetime) -> datetime:
    """A completion passed at or after this moment still counts."""
    return now - TRAINING_VALID_FOR


def training_due_at(passed_at: datetime) -> datetime:
    return passed_at + TRAINING_VALID_FOR


@dataclass(frozen=True)
class Question:
    key: str
    text: Any  # a lazily translated string
    options: tuple[tuple[str, Any], ...]
    correct: str


QUIZ: tuple[Question, ...] = (
    Question(
        "share",
        _("A mentee tells you something in confidence. Who may you pass it on to?"),
        (
            ("anyone", _("Anyone who asks about the mentee")),
            ("coordinator", _("The program coordinator, always")),
            ("nobody", _("Nobody, unless someone is at risk of harm: then the safeguarding lead")),
        ),
        "nobody",
    ),
    Question(
        "channel",
        _("Where should you talk with your mentee about personal matters?"),
        (
            ("platform", _("In MentorHaven's messages and meetings")),
            ("social", _("On a public social network")),
            ("work_email", _("From a shared work e-mail account")),
        ),
        "platform",
    ),
    Question(
        "device",
        _("You leave your laptop for a few minutes in a café. What do you do first?"),
        (
            ("nothing", _("Nothing: it will only be a few minutes")),
            ("lock", _("Lock the screen")),
            ("close", _("Close the browser tab and leave it signed in")),
        ),
        "lock",
    ),
    Question(
        "files",
        _("Your mentee shares a CV with you. May you keep a copy on your own computer?"),
        (
            ("yes", _("Yes, for as long as I like")),
            ("no", _("No: read it in MentorHaven, where it is encrypted and expires")),
            ("forward", _("Yes, and forward it to contacts who might hire them")),
        ),
        "no",
    ),
    Question(
        "phishing",
        _("An e-mail asks you to confirm your MentorHaven password by reply. What do you do?"),
        (
            ("reply", _("Reply with the password")),
            ("report", _("Do not reply; report it to your coordinator")),
            ("click", _("Click its link and sign in to check")),
        ),
        "report",
    ),
)


def grade(answers: dict[str, str]) -> int:
    """How many answers are right. Unknown keys and missing answers count as wrong."""
    return sum(1 for q in QUIZ if answers.get(q.key) == q.correct)


def passed(score: int) -> bool:
    return score >= PASS_MARK


def grant_expiry(approved_at: datetime, hours: int) -> datetime:
    """When an approved grant closes by itself: never more than ``MAX_GRANT_HOURS`` later."""
    return approved_at + timedelta(hours=min(max(hours, 1), MAX_GRANT_HOURS))


DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class CompletionFigures:
    """Training completion of a program's mentors, as a coordinator may see it. A figure
    below ``min_group_size`` is not shown (``None``): "1 not trained" in a small program points
    at a person. ``suppressed`` when the whole group is too small to show anything."""

    min_group_size: int
    suppressed: bool
    mentors: int | None = None
    trained: int | None = None
    not_trained: int | None = None


def completion_figures(mentors: int, trained: int, *, min_group_size: int) -> CompletionFigures:
    size = max(int(min_group_size), 1)
    if mentors < size:
        return CompletionFigures(min_group_size=size, suppressed=True)

    def shown(n: int) -> int | None:
        return n if n == 0 or n >= size else None

    return CompletionFigures(
        min_group_size=size,
        suppressed=False,
        mentors=mentors,
        trained=shown(trained),
        not_trained=shown(mentors - trained),
    )
