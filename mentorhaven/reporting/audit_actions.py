"""Audit actions of the reporting layer (kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare(
    "report.export",
    category="program",
    sentence=_("{actor} exported a program's aggregate figures"),
)
declare(
    "report.policy_update",
    category="program",
    sentence=_("{actor} changed the smallest group a report may show"),
)
declare(
    "report.insights_read",
    category="program",
    sentence=_("{actor} saw the engagement signals about your mentoring relationship"),
)
declare(
    "report.dp_spent",
    category="program",
    sentence=_("{actor} opened a report that spent some of the organization's privacy budget"),
)
