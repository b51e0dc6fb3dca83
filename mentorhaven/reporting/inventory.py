"""The reporting app holds no personal data: an organization's policy, about no one."""

from mentorhaven.kernel.inventory import exempt

exempt(
    "reporting.ReportingPolicy",
    "an organization's reporting settings (the smallest group a figure may describe), about no one",
    fields=[
        "program_k",
        "organization_k",
        "dp_enabled",
        "dp_epsilon_per_view",
        "dp_budget",
        "dp_spent",
        "updated_at",
    ],
)
