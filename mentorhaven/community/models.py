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
