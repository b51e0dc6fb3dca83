"""Program events and who registered for them.

Whose key encrypts what: an event's title, description, place and link are written by the
program admin who last edited the event (``author``) and are encrypted under that admin's key,
bound to the event's program (a row moved to another program in SQL becomes unreadable). When
that admin is erased, the text of the events they wrote reads as erased: another admin writes it
again (docs/privacy.md, "Events").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel.fields import EncryptedTextField
from mentorhaven.programs.models import Program


class Event(models.Model):
    """A program event, online (with a link) or in person (with a place), with an optional
    capacity: past it, people who register join the waitlist in the order they asked."""

    class Format(models.TextChoices):
        ONLINE = "online", "Online"
        IN_PERSON = "in_person", "In person"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="events")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = EncryptedTextField(subject_field="author", bind=["program"])
    description = EncryptedTextField(
        subject_field="author", bind=["program"], null=True, blank=True
    )
    place = EncryptedTextField(subject_field="author", bind=["program"], null=True, blank=True)
    link = EncryptedTextField(subject_field="author", bind=["program"], null=True, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(null=True, blank=True)  # None: no limit
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["program", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Event {self.public_id}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Registration(models.Model):
    """One person's place at an event: registered, waitlisted or cancelled. A person has at
    most one row per event; registering again after cancelling reuses it (at the end of the
    waitlist when the event is full)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # The person agreed that the other attendees may see their name on the event's page.
    show_me = models.BooleanField(default=False)
    # When they (last) asked for a place: the waitlist's order.
    registered_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["registered_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "registered_at"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="uniq_event_registration"),
        ]

    def __str__(self) -> str:
        return f"Registration {self.public_id}"


# --- surveys -------------------------------------------------------------------------------------
#
# Two modes, stated to respondents before they answer. *Confidential*: each response names its
# respondent (so it can be exported and erased) and admins see it only in aggregates; free text
# is encrypted under the respondent's key. *Anonymous*: nothing links an answer to a person, not
# even for someone holding a copy of the database. The completion ("this person answered") is
# kept apart, in ``SurveyCompletion``, with no time. The answers carry no user column, no time
# and no sequence: their keys are random UUIDs. They first wait, sealed under the survey's key
# (``PendingBallot``, unreadable without the master key), and are written out in shuffled
# batches of at least ``community.surveys.BATCH`` ballots, so neither the rows' ids nor their
# physical order follows the order in which people answered; closing the survey rewrites all
# of its answers once more in a new random order.


class Survey(models.Model):
    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous"
        CONFIDENTIAL = "confidential", "Confidential"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The survey's own key (for anonymous free text and waiting ballots), wrapped by the KEK.
    kek_version = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Survey {self.public_id}"

    @property
    def is_anonymous(self) -> bool:
        return self.mode == self.Mode.ANONYMOUS


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", "Choice"
        SCALE = "scale", "Scale (1 to 5)"
        TEXT = "text", "Free text"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    options = models.JSONField(default=list)  # the choices of a choice question

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="uniq_question_position")
        ]

    def __str__(self) -> str:
        return f"Survey question {self.public_id}"


class SurveyCompletion(models.Model):
    """That a person answered a survey, and nothing else: no time, no link to the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_completions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="uniq_survey_completion")
        ]

    def __str__(self) -> str:
        return "Survey completion"


class PendingBallot(models.Model):
    """An anonymous response waiting for its batch: the answers sealed under the survey's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return "Pending ballot"


class AnonymousAnswer(models.Model):
    """One answer of an anonymous response. ``response`` is a random id shared by the answers
    of one ballot (so that answers can be cross-tabulated); ``text`` is sealed under the
    survey's key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.UUIDField()
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "question"])]

    def __str__(self) -> str:
        return "Anonymous answer"


class ConfidentialAnswer(models.Model):
    """One answer of a confidential response: linked to its respondent (for their export and
    erasure), shown to admins only in aggregates; free text under the respondent's key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_answers"
    )
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    text = EncryptedTextField(subject_field="respondent", bind=["question"], null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["survey", "question"])]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "respondent"], name="uniq_confidential_answer"
            )
        ]

    def __str__(self) -> str:
        return f"Survey answer {self.public_id}"
