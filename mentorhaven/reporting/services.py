"""Writes of the reporting layer: an organization's policy, and aggregate exports (each one an
audit event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.programs.models import Organization
from mentorhaven.reporting import exports, noise
from mentorhaven.reporting.access import ReportScope
from mentorhaven.reporting.dashboard import Health
from mentorhaven.reporting.models import ORGANIZATION_K_FLOOR, PROGRAM_K_FLOOR, ReportingPolicy
from mentorhaven.reporting.selectors import program_health

MAX_K = 100
ExportFormat = Literal["csv", "pdf"]


@transaction.atomic
def reporting_policy_update(
    *, actor: User, organization: Organization, program_k: int, organization_k: int
) -> ReportingPolicy:
    """Set the smallest group a figure may describe, for the program admins and for views
    across the organization. Never below the floors (5 and 10): raising them is allowed, lowering
    them below is refused. The caller has passed ``access_organization_admin``."""
    if not PROGRAM_K_FLOOR <= program_k <= MAX_K:
        raise ValidationFailed(
            _("The program admins' group size must be between %(low)d and %(high)d.")
            % {"low": PROGRAM_K_FLOOR, "high": MAX_K}
        )
    if not ORGANIZATION_K_FLOOR <= organization_k <= MAX_K:
        raise ValidationFailed(
            _("The organization-wide group size must be between %(low)d and %(high)d.")
            % {"low": ORGANIZATION_K_FLOOR, "high": MAX_K}
        )
    policy, _created = ReportingPolicy.objects.update_or_create(
        organization=organization,
        defaults={"program_k": program_k, "organization_k": organization_k},
    )
    audit.record(
        action="report.policy_update",
        actor=actor,
        target=organization,
        organization=organization,
        purpose="set the smallest group a report may show",
        extra={"program_k": program_k, "organization_k": organization_k},
    )
    return policy


@dataclass(frozen=True)
class Budget:
    """What the dashboard tells its viewer about the organization's privacy budget."""

    epsilon: float  # spent by this view (0 when nothing was released)
    spent: float
    total: float

    @property
    def exhausted(self) -> bool:
        return self.epsilon == 0


@dataclass(frozen=True)
class Released:
    health: Health
    budget: Budget | None  # None: differential privacy is off for the organization


def _ppm(value: float) -> int:
    return round(value * 1_000_000)


@transaction.atomic
def health_release(*, actor: User, scope: ReportScope) -> Released:
    """The program's dashboard as it is released to ``actor``: k-anonymous, and with noise on
    every count when the organization turned differential privacy on, spending its budget
    (an audit event per spend); once the budget is spent, no count is released. The caller has
    passed ``access_program_report``."""
    health = program_health(scope=scope)
    organization = scope.program.organization
    policy = ReportingPolicy.objects.select_for_update().filter(organization=organization).first()
    if policy is None or not policy.dp_enabled:
        return Released(health, None)
    epsilon = policy.dp_epsilon_per_view
    if policy.dp_spent + epsilon > policy.dp_budget + 1e-9:
        return Released(noise.withheld(health), Budget(0.0, policy.dp_spent, policy.dp_budget))
    counts = noise.released_counts(health)
    scale = noise.scale_for(epsilon, counts)
    spent = noise.epsilon_of(scale, counts)
    policy.dp_spent += spent
    policy.save(update_fields=["dp_spent", "updated_at"])
    audit.record(
        action="report.dp_spent",
        actor=actor,
        target=scope.program,
        organization=organization,
        purpose="release a program's counts with differential privacy",
        # The audit log holds counts, not decimals: epsilon in millionths.
        extra={
            "epsilon_ppm": _ppm(spent),
            "spent_ppm": _ppm(policy.dp_spent),
            "budget_ppm": _ppm(policy.dp_budget),
        },
    )
    return Released(
        noise.with_noise(health, scale=scale),
        Budget(spent, policy.dp_spent, policy.dp_budget),
    )


@transaction.atomic
def reporting_privacy_update(
    *,
    actor: User,
    organization: Organization,
    enabled: bool,
    epsilon_per_view: float,
    budget: float,
) -> ReportingPolicy:
    """Turn differential privacy for counts on or off, and set its budget (the spent part is
    kept: raising the budget is a decision the audit log records)."""
    if not (0.01 <= epsilon_per_view <= 10 and 0 < budget <= 1000):
        raise ValidationFailed(
            _("Choose an epsilon per view between 0.01 and 10 and a budget up to 1000.")
        )
    policy, _created = ReportingPolicy.objects.get_or_create(organization=organization)
    policy.dp_enabled = enabled
    policy.dp_epsilon_per_view = epsilon_per_view
    policy.dp_budget = budget
    policy.save()
    audit.record(
        action="report.policy_update",
        actor=actor,
        target=organization,
        organization=organization,
        purpose="set differential privacy for report counts",
        extra={
            "dp_enabled": enabled,
            "epsilon_ppm": _ppm(epsilon_per_view),
            "budget_ppm": _ppm(budget),
        },
    )
    return policy


@transaction.atomic
def report_export(*, actor: User, scope: ReportScope, fmt: ExportFormat) -> bytes:
    """The program's dashboard figures as a CSV or PDF file, recorded on the audit log. Only
    released aggregates: ``exports`` reads the released dashboard, never a response or a text.
    The caller has passed ``access_program_report``."""
    health = health_release(actor=actor, scope=scope).health
    program = scope.program
    if fmt == "csv":
        content = exports.as_csv(health).encode()
    else:
        title = _("Program health: %(name)s") % {"name": program.name}
        content = exports.as_pdf(health, title=title)
    audit.record(
        action="report.export",
        actor=actor,
        target=program,
        organization=program.organization_id,
        purpose="export a program's aggregate figures",
        extra={"format": fmt, "k": scope.k},
    )
    return content
