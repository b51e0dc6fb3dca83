"""Conversations, encrypted messages, safety (reports, blocks) and in-app notifications.

Whose key encrypts what: a message body uses its author's key; a report's note uses the
reporter's key; the copy of a reported message kept as evidence uses the reported author's key.
Shredding a person therefore erases exactly their own writing, in every conversation at once.
A message is bound to its conversation and a report's texts to its program: moved elsewhere in
SQL, they become unreadable rather than readable by the people there.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.fields import EncryptedTextField
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Program


class Conversation(models.Model):
    """Either the conversation of one relationship (its two participants, derived from the
    relationship) or a group conversation of a group program (its member rows)."""

    class Kind(models.TextChoices):
        RELATIONSHIP = "relationship", "Relationship"
        GROUP = "group", "Group"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="conversations")
    relationship = models.OneToOneField(
        Relationship,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversation",
    )
    title = models.CharField(max_length=200, blank=True)  # groups only; relationships have none
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)  # groups closed by an admin
    last_seq = models.PositiveBigIntegerField(default=0)  # the newest message's ``seq``

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="relationship", relationship__isnull=False)
                | models.Q(kind="group", relationship__isnull=True),
                name="conversation_kind_matches_relationship",
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.public_id}"


class ConversationMember(models.Model):
    """A person in a conversation, with their last-read pointer (unread = seq above it)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="uniq_conversation_member"
            )
        ]

    def __str__(self) -> str:
        return f"Member {self.user_id} of conversation {self.conversation_id}"


class Message(models.Model):
    """One message. ``seq`` numbers the messages of a conversation 1, 2, 3…: it is the cursor of
    polling and of the API, so a reader asking for "after n" gets each message exactly once.
    Deleting clears the body and keeps the row as a tombstone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_written"
    )
    body = EncryptedTextField(subject_field="author", bind=["conversation"], null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="uniq_message_seq")
        ]

    def __str__(self) -> str:
        return f"Message {self.public_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Block(models.Model):
    """``blocker`` no longer receives messages from ``blocked``."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="uniq_block"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"Block {self.blocker_id} → {self.blocked_id}"


class Report(models.Model):
    """A safety report about a message or a person, and the case the program's admins make of
    it: open → triaged → actioned → closed, with the actions taken (``ReportEntry``) and the
    outcome the reporter is told. The admins see the reason, the reporter's note and — for a
    message report — that one message, never the rest of the conversation."""

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", "Harassment or bullying"
        INAPPROPRIATE = "inappropriate", "Inappropriate or sexual content"
        SPAM = "spam", "Spam or selling"
        SAFETY = "safety", "Someone may be in danger"
        CONFIDENTIALITY = "confidentiality", "Breach of confidentiality"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TRIAGED = "triaged", _("Triaged")
        ACTIONED = "actioned", _("Actioned")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        # What the reporter is told when the case closes: a fixed sentence, never the action
        # taken against a named person (messaging/notices.py holds the sentences).
        ACTION_TAKEN = "action_taken", _("Action taken")
        NO_ACTION = "no_action", _("No breach found")
        ESCALATED = "escalated", _("Passed to the organization")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="safety_reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # Where it happened: the relationship a "end relationship" action ends. Never opened for
    # the admins: they see the reported message only.
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = EncryptedTextField(subject_field="reporter", bind=["program"], null=True, blank=True)
    # The reported message as it read when reported, so that deleting it later does not
    # destroy the evidence. Under its author's key: shredding them still erases it.
    evidence = EncryptedTextField(
        subject_field="reported_user", bind=["program"], null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The reported person's account locked by this case, until an org admin lifts it.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_lifted_at = models.DateTimeField(null=True, blank=True)
    # When and by whom the case was closed (the columns kept their first names).
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Report {self.public_id}"

    @property
    def is_suspending(self) -> bool:
        return self.suspended_at is not None and self.suspension_lifted_at is None


class ReportEntry(models.Model):
    """One line of a safety case's log: a note by an admin (encrypted under the author's key,
    bound to the case) or an action taken (``body`` empty: the kind says what was done)."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        TRIAGE = "triage", _("Triaged")
        WARN = "warn", _("Warned the reported person")
        SUSPEND = "suspend", _("Suspended the reported person's account")
        LIFT = "lift", _("Lifted the suspension")
        END_RELATIONSHIP = "end_relationship", _("Ended the relationship")
        ESCALATE = "escalate", _("Escalated to the organization")
        CLOSE = "close", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = EncryptedTextField(subject_field="author", bind=["report"], null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.report_id}"


class Notification(models.Model):
    """An in-app notice ("You have a new message from your mentor") with a link. Never content:
    ``text`` is a fixed sentence chosen by the code (stored untranslated, translated when shown)
    and ``link`` a page built from public ids. ``by_email`` says whether the person wanted this
    kind by e-mail when it was made; ``emailed_at`` marks it as included in an e-mail, so a batch
    is never sent twice. The kinds, their sentences and defaults: ``messaging/notices.py``."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation to a program")
        QUESTIONNAIRE_REMINDER = "questionnaire_reminder", _("Questionnaire reminder")
        MATCH_PUBLISHED = "match_published", _("New match")
        REQUEST_RECEIVED = "request_received", _("Mentor request received")
        REQUEST_ACCEPTED = "request_accepted", _("Mentor request accepted")
        REQUEST_DECLINED = "request_declined", _("Mentor request declined or lapsed")
        REQUEST_LAPSING = "request_lapsing", _("Mentor request about to lapse")
        RELATIONSHIP_STARTED = "relationship_started", _("Relationship started")
        RELATIONSHIP_ENDING = "relationship_ending", _("Relationship ending or quiet")
        RELATIONSHIP_ENDED = "relationship_ended", _("Relationship ended")
        RELATIONSHIP_PAUSED = "relationship_paused", _("Relationship paused or resumed")
        MEETING_PROPOSED = "meeting_proposed", _("Meeting proposed")
        MEETING_ACCEPTED = "meeting_accepted", _("Meeting accepted or cancelled")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        MESSAGE = "message", _("New message")
        REPORT = "report", _("New safety report")
        REPORT_OUTCOME = "report_outcome", _("Outcome of your safety report")
        SAFETY_WARNING = "safety_warning", _("Warning from a program's team")
        WAITLIST = "waitlist", _("A mentor has a free seat")
        EVENT_REMINDER = "event_reminder", _("Program event reminder")
        EVENT_UPDATE = "event_update", _("Place at a program event, or event cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    text = models.CharField(max_length=200)  # fixed wording chosen by the code, never content
    link = models.CharField(max_length=300)
    # When the meeting it is about starts (reminders, confirmations): shown to the person, in
    # the app and in the e-mail, on their own clock with their zone named.
    about_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    by_email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"Notification {self.public_id}"


class NotificationPreference(models.Model):
    """How a person wants to be told: per kind (``channels``: kind → "email", "app" or "off";
    a kind not named takes its default) and how often e-mails go out (``email``)."""

    class Email(models.TextChoices):
        IMMEDIATELY = "immediately", "Immediately"
        DAILY = "daily", "Once a day"
        NEVER = "never", "Never"

    class Channel(models.TextChoices):
        EMAIL = "email", _("Here and by e-mail")
        APP = "app", _("Here only")
        OFF = "off", _("Off")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=12, choices=Email.choices, default=Email.IMMEDIATELY)
    channels = models.JSONField(default=dict, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification preference of {self.user_id}"
