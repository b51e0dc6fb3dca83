"""An organization's reporting policy: the smallest group any figure may describe."""

from __future__ import annotations

from django.db import models

from mentorhaven.programs.models import Organization

# The floors no organization can go below: a program's own admins see figures about groups of
# at least 5 people; views across the organization (its admins, auditors, security officers,
# who do not run the program day to day and see many programs side by side) at least 10.
PROGRAM_K_FLOOR = 5
ORGANIZATION_K_FLOOR = 10


class ReportingPolicy(models.Model):
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="reporting_policy"
    )
    program_k = models.PositiveSmallIntegerField(default=PROGRAM_K_FLOOR)
    organization_k = models.PositiveSmallIntegerField(default=ORGANIZATION_K_FLOOR)
    # Optional differential privacy for counts (reporting/noise.py): each dashboard view or
    # export spends ``dp_epsilon_per_view`` of ``dp_budget``; counts stop once it is spent.
    dp_enabled = models.BooleanField(default=False)
    dp_epsilon_per_view = models.FloatField(default=0.5)
    dp_budget = models.FloatField(default=20.0)
    dp_spent = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ReportingPolicy({self.organization_id}: {self.program_k}/{self.organization_k})"
