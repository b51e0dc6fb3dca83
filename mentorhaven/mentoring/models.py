"""Mentoring relationships: the fact from which a mentor's access to a mentee derives."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mentorhaven.programs.models import Program


class Relationship(models.Model):
    """One mentor and one mentee in one program.

    Lifecycle: proposed → active → completed, or ended early (with a reason); a proposal can be
    declined. It becomes active only when both people have accepted the program's
    confidentiality agreement and the relationship's goals.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
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
    last_activity_at = models.DateTimeField(default=timezone.now)
    idle_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentee=models.F("mentor")), name="relationship_two_people"
            ),
            # At most one open (proposed or active) relationship per pair in a program.
            models.UniqueConstraint(
                fields=["program", "mentee", "mentor"],
                condition=models.Q(status__in=["proposed", "active"]),
                name="uniq_open_relationship",
            ),
        ]

    def __str__(self) -> str:
        return f"Relationship {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)

    def participant_ids(self) -> tuple[int, int]:
        return (self.mentee_id, self.mentor_id)
