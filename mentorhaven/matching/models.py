"""Matching data: profiles, questionnaires, answers, consents, exclusions, match runs.

Whose key encrypts what: a profile's headline and goals and every questionnaire answer are
encrypted under the participant's own key, so erasing a participant shreds their answers
everywhere at once. A pair's score and its reasons ("both chose: python, finance") are derived
from those answers, so they are never stored in clear either: a draft pair's and a match
explanation's are encrypted under the mentee's key, bound to the run and mentor (or to the
relationship). Explanations hold only the words ``domain.explain`` produced, which never mention a
sensitive question.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel.fields import EncryptedJSONField, EncryptedTextField, is_unavailable
from mentorhaven.kernel.inventory import Category
from mentorhaven.programs.models import Program

DEFAULT_CAPACITY = 2


# Reasons shown for one pair (a draft pair keeps them all, strongest first).
SHOWN_FACTORS = 3
# A reason drawn from the free-text goals: never shown to admins (see admin_factor_list).
GOALS_FACTOR = "similar_goals"


def factor_list(value) -> list[dict[str, str]]:
    """Stored factors as a list to show: an erased or unreadable value becomes one line saying
    so (its placeholder), never an error."""
    if is_unavailable(value):
        return [{"code": "unavailable", "text": str(value)}]
    return list(value)[:SHOWN_FACTORS] if isinstance(value, list) else []


def admin_factor_list(value) -> list[dict[str, str]]:
    """The reasons an admin sees: the strongest that do not come from free text. Taken from
    the whole stored list, so whether the goals were alike changes neither which reasons are
    left nor how many (a coordinator who writes a mentor's goals learns nothing from them)."""
    if is_unavailable(value) or not isinstance(value, list):
        return factor_list(value)
    return [f for f in value if f.get("code") != GOALS_FACTOR][:SHOWN_FACTORS]


def score_text(value) -> str:
    """A stored (shown) score as admins see it: a percentage, or the placeholder, or nothing."""
    if isinstance(value, int | float):
        return f"{round(value * 100)}%"
    return str(value) if is_unavailable(value) else ""


class ParticipantRole(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class Profile(models.Model):
    """One person's profile in one program, in one role."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matching_profiles"
    )
    role = models.CharField(max_length=8, choices=ParticipantRole.choices)
    headline = EncryptedTextField(subject_field="user", bind=["program"], null=True, blank=True)
    goals = EncryptedTextField(subject_field="user", bind=["program"], null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(default=DEFAULT_CAPACITY)
    paused = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "user", "role"], name="uniq_match_profile")
        ]

    def __str__(self) -> str:
        return f"Profile {self.public_id}"


class Question(models.Model):
    """A question of a program's sign-up questionnaire."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTI = "multi", "Multiple choice"
        SCALE = "scale", "Scale"
        TEXT = "text", "Free text"

    class Audience(models.TextChoices):
        BOTH = "both", "Mentees and mentors"
        MENTEE = "mentee", "Mentees only"
        MENTOR = "mentor", "Mentors only"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.BOTH)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    # [{"value": "leadership", "label": "Leadership"}, ...] for single and multiple choice.
    options = models.JSONField(default=list, blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    category = models.CharField(
        max_length=16, choices=[(c.value, c.label) for c in Category], default=Category.PROFESSIONAL
    )
    used_for_matching = models.BooleanField(default=True)
    weight = models.FloatField(default=1.0)
    # Gender, ethnicity, health, personality…: always optional, used only with consent.
    sensitive = models.BooleanField(default=False)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.prompt

    @property
    def option_values(self) -> list[str]:
        return [str(o["value"]) for o in self.options]

    def option_label(self, value: str) -> str:
        return next((str(o["label"]) for o in self.options if o["value"] == value), value)

    def asks(self, role: str) -> bool:
        return self.audience in (self.Audience.BOTH, role)


class Answer(models.Model):
    """A participant's answer to one question, encrypted under their key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matching_answers"
    )
    value = EncryptedJSONField(subject_field="user", bind=["profile", "question"])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "question"], name="uniq_answer")]

    def __str__(self) -> str:
        return f"Answer {self.public_id}"


class MatchingConsent(models.Model):
    """An explicit opt-in to use the answer to one sensitive question for matching. The row
    exists while consent is given; withdrawing deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matching_consents"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="consents")
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="uniq_matching_consent")
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"


class Exclusion(models.Model):
    """Two people who must never be matched: someone's "not this person", or a manager pair
    entered by an admin. Applies in both directions."""

    class Kind(models.TextChoices):
        NOT_THIS_PERSON = "not_this_person", "Not this person"
        MANAGER = "manager", "Manager relationship"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exclusions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_exclusions"
    )
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person", "other", "kind"], name="uniq_match_exclusion"
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("other")), name="exclusion_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"Exclusion {self.public_id}"


class MatchRun(models.Model):
    """One program-wide assignment: a draft an admin reviews, adjusts and publishes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=10)
    mentees = models.PositiveIntegerField(default=0)
    mentors = models.PositiveIntegerField(default=0)
    total = models.FloatField(default=0.0)
    coverage = models.FloatField(default=0.0)
    # The greedy baseline's figures; null when not computed (the block method on a large
    # program never holds the whole score matrix a greedy pass needs).
    greedy_total = models.FloatField(default=0.0, null=True)
    greedy_coverage = models.FloatField(default=0.0, null=True)
    # How far below the best possible assignment the run may be, as a share of that best:
    # 0 proven optimal, null not known (``scoring.RunResult.optimality_gap``).
    optimality_gap = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Match run {self.public_id}"

    @property
    def paired(self) -> int:
        """Mentees with a pair in the run (coverage is kept as a share of the mentees)."""
        return round(self.coverage * self.mentees)

    @property
    def average_fit_text(self) -> str:
        """The mean shown score of the run's pairs, as admins see it."""
        return score_text(self.total / self.paired) if self.paired else "—"

    @property
    def optimality_text(self) -> str:
        """How close the matcher's draft is to the best possible one, in plain words (the page
        names no method: ``method`` is for the API and the command)."""
        if self.optimality_gap is None:
            return "—"
        if self.optimality_gap == 0.0:
            return _("the best possible overall")
        return _(
            "at most %(gap)s%% below the best possible overall (a program this large is "
            "matched from each mentee's strongest candidates)"
        ) % {"gap": f"{100 * self.optimality_gap:.2f}"}


class MatchPair(models.Model):
    """One proposed pair of a run, with its score and the reasons, until published."""

    class Origin(models.TextChoices):
        ALGORITHM = "algorithm", "Suggested by the matcher"
        MANUAL = "manual", "Added by an admin"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # How well the pair fits on non-sensitive answers (``domain.shown_score``: never the full
    # score, which sensitive answers and goals enter), and why ([{"code", "text"}], never a
    # sensitive answer; all of them, strongest first): derived from encrypted answers, so
    # encrypted too. Swapping mentors goes through save(), which
    # re-encrypts under the new binding.
    score = EncryptedJSONField(subject_field="mentee", bind=["run", "mentor"], null=True)
    factors = EncryptedJSONField(subject_field="mentee", bind=["run", "mentor"], null=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ALGORITHM)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="uniq_run_mentee")]

    def __str__(self) -> str:
        return f"Pair {self.public_id}"

    @property
    def factor_list(self) -> list[dict[str, str]]:
        return factor_list(self.factors)

    @property
    def admin_factor_list(self) -> list[dict[str, str]]:
        return admin_factor_list(self.factors)

    @property
    def score_text(self) -> str:
        return score_text(self.score)


class MatchExplanation(models.Model):
    """Why two people were matched, kept beside the relationship so both can read it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.OneToOneField(
        "mentoring.Relationship", on_delete=models.CASCADE, related_name="match_explanation"
    )
    # The relationship's mentee, whose key encrypts the explanation.
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    factors = EncryptedJSONField(subject_field="mentee", bind=["relationship"], null=True)
    # For admins only: never shown to participants.
    score = EncryptedJSONField(subject_field="mentee", bind=["relationship"], null=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Explanation {self.public_id}"

    @property
    def factor_list(self) -> list[dict[str, str]]:
        return factor_list(self.factors)


class WaitlistEntry(models.Model):
    """A mentee who found no mentor free to take them and asked to be told when one is. Being
    told (by the scheduler, once), asking a mentor or being matched ends the wait: the row goes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="waitlist")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee"], name="uniq_waitlist_mentee")
        ]

    def __str__(self) -> str:
        return f"Waitlist entry {self.public_id}"


class InputChange(models.Model):
    """A mark that something suggestions are computed from changed: a profile, an answer, a
    question, a membership, a relationship, an exclusion, a consent, a restriction or a key
    (``matching.suggestions``). ``program`` None: a person's change, which may touch every
    program. Only the newest mark of each program (and of None) is kept; its id is the stamp
    stored suggestions are compared with. No personal data: a program and a time."""

    id = models.BigAutoField(primary_key=True)
    # The program's id, not a foreign key: a mark made while a program is being deleted (its
    # profiles go with it) must not hold the deletion up.
    program = models.BigIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["program", "id"], name="matching_inputchange_prog_id")]

    def __str__(self) -> str:
        return f"Input change {self.pk}"


class StoredSuggestions(models.Model):
    """A mentee's suggested mentors with the reasons, as computed at ``inputs`` (the newest
    ``InputChange`` then): derived from everyone's answers, so encrypted under the mentee's
    key. Reused while no input changed; recomputed (and replaced) otherwise."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    inputs = models.BigIntegerField()
    # [{"mentor": user id, "factors": [{"code", "text"}]}], best first.
    picks = EncryptedJSONField(subject_field="mentee", bind=["program"], null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee"], name="uniq_suggestions_mentee")
        ]

    def __str__(self) -> str:
        return f"Suggestions {self.public_id}"
