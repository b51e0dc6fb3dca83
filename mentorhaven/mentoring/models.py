"""Mentoring relationships: the fact from which a mentor's access to a mentee derives."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.kernel.fields import EncryptedTextField
from mentorhaven.programs.models import Program


class Relationship(models.Model):
    """One mentor and one mentee in one program.

    Lifecycle: proposed → active → completed, or ended early (with a reason); a proposal can be
    declined. It becomes active only when both people have accepted the program's
    confidentiality agreement and the relationship's goals. A coordinator may pause an active
    relationship (both read, neither writes) and resume it.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"
        DECLINED = "declined", "Declined"

    class Source(models.TextChoices):
        ADMIN_MATCH = "admin_match", "Matched by the program"
        SELF_MATCH = "self_match", "Requested by the mentee"
        MANUAL = "manual", "Created by an admin"

    class EndReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        PROGRAM_ENDED = "program_ended", "Program ended"
        SCHEDULE = "schedule", "Could not find time"
        NOT_A_FIT = "not_a_fit", "Not a good fit"
        LEFT_PROGRAM = "left_program", "Someone left the program"
        IDLE = "idle", "No activity"
        SAFETY = "safety", "Safety concern"
        OTHER = "other", "Other"

    # The reasons a person chooses from (page and API); the others are MentorHaven's own (idle,
    # the program's end) or older records.
    CHOSEN_END_REASONS = ("goals_met", "not_a_fit", "safety", "left_program")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="relationships")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_relationships"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_relationships"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    proposed_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why, in the words of whoever ended it: under their key, for them and the program's admins
    # (never the other participant: a "safety" note is about them).
    end_note = EncryptedTextField(
        subject_field="ended_by", bind=["program", "ended_by"], null=True, blank=True
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    idle_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentee=models.F("mentor")), name="relationship_two_people"
            ),
            # At most one open (proposed, active or paused) relationship per pair in a program.
            models.UniqueConstraint(
                fields=["program", "mentee", "mentor"],
                condition=models.Q(status__in=["proposed", "active", "paused"]),
                name="uniq_open_relationship",
            ),
        ]

    def __str__(self) -> str:
        return f"Relationship {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def has_ended(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.ENDED_EARLY)

    def participant_ids(self) -> tuple[int, int]:
        return (self.mentee_id, self.mentor_id)

    @property
    def is_request(self) -> bool:
        """A mentee asked this mentor (self-match), rather than an admin pairing them."""
        return self.source == self.Source.SELF_MATCH


# --- inside a relationship: goals, meetings, notes, feedback ---------------------------------
#
# Whose key encrypts what: everything a person types is encrypted under its author's key. A
# goal's title and description, its progress updates and its milestones are written by the mentee
# who owns them; a note's body and a feedback comment use their author's key; a meeting's place
# and agenda use the key of the person who proposed the meeting. Shredding a person makes exactly
# their own writing unreadable, everywhere at once.
#
# What decides who may read each value is bound into its ciphertext (``bind``): the relationship
# (through the goal, for updates and milestones), a note's ``shared`` flag, a feedback's meeting.
# Moving a row to another relationship, or sharing a private note, in SQL makes it unreadable.


class Goal(models.Model):
    """A goal of the mentee's, with milestones and progress updates. Title and description are
    encrypted under the mentee's key (lists sort by ``created_at``, never by title)."""

    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        DONE = "done", "Achieved"
        DROPPED = "dropped", "Dropped"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="goals")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_goals"
    )
    title = EncryptedTextField(subject_field="owner", bind=["relationship"])
    description = EncryptedTextField(
        subject_field="owner", bind=["relationship"], null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["relationship", "status"])]

    def __str__(self) -> str:
        return f"Goal {self.public_id}"


class GoalUpdate(models.Model):
    """A progress update on a goal, written by the mentee (encrypted under their key)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField(subject_field="owner", bind=["goal"])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Goal update {self.public_id}"


class Milestone(models.Model):
    """A dated step towards a goal, written by the goal's owner (title under their key)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = EncryptedTextField(subject_field="owner", bind=["goal"])
    due_on = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Milestone {self.public_id}"


class Note(models.Model):
    """A session note: private (its author only) or shared with the other participant.
    Program and organization admins never read it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_notes"
    )
    body = EncryptedTextField(subject_field="author", bind=["relationship", "shared"])
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["relationship", "shared"])]

    def __str__(self) -> str:
        return f"Note {self.public_id}"


class Meeting(models.Model):
    """A meeting: proposed with one to three time slots; the other participant accepts one
    (→ scheduled) or declines; either may cancel."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SCHEDULED = "scheduled", "Scheduled"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="meetings"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    slots = models.JSONField(default=list)  # ISO 8601 UTC start times, one to three
    starts_at = models.DateTimeField(null=True, blank=True)  # the accepted slot
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    # A place or a video link, and what to talk about: under the proposer's key.
    location = EncryptedTextField(
        subject_field="proposed_by", bind=["relationship"], null=True, blank=True
    )
    agenda = EncryptedTextField(
        subject_field="proposed_by", bind=["relationship"], null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"Meeting {self.public_id}"

    def slot_times(self) -> list:
        from datetime import datetime

        return [datetime.fromisoformat(s) for s in self.slots]


class Feedback(models.Model):
    """One participant's feedback on a meeting that took place: a rating and an optional comment
    (encrypted under the author's key). Admins only ever see aggregates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    comment = EncryptedTextField(subject_field="author", bind=["meeting"], null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="uniq_feedback_per_author"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.public_id}"


class ClosingSurvey(models.Model):
    """Each participant's short survey once a relationship is completed with its goals met: a
    rating and an optional comment (encrypted under the author's key). Admins only ever see the
    program's aggregate over a large enough group, never one pair's answers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="closing_surveys"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    comment = EncryptedTextField(
        subject_field="author", bind=["relationship"], null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "author"], name="uniq_closing_survey_per_author"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="closing_survey_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Closing survey {self.public_id}"


class CalendarFeed(models.Model):
    """A person's private calendar feed. Only the SHA-256 of its token is kept: the address is
    shown once, and regenerating or revoking it makes the old one stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
