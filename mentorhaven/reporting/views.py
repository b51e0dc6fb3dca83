"""The program health dashboard, its exports, and the organization's reporting policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.access import access_organization_admin
from mentorhaven.reporting import insights, services
from mentorhaven.reporting.access import access_program_report, policy_for
from mentorhaven.reporting.charts import bar_chart
from mentorhaven.reporting.domain import Table
from mentorhaven.reporting.forms import PolicyForm, PrivacyForm

ROLE_LABELS = {"mentee": gettext_lazy("Mentees"), "mentor": gettext_lazy("Mentors")}
CHART_TITLES = {
    "started": gettext_lazy("Relationships started, per month"),
    "met": gettext_lazy("Pairs who met, per month"),
}


def _rows(table: Table, labels: dict) -> list[tuple[str, int | None]]:
    return [(str(labels.get(key, key)), value) for key, value in table.cells.items()]


@require_GET
@login_required
def dashboard(request: SignedInRequest, program_id) -> HttpResponse:
    """Program health, every figure released through the reporting layer."""
    scope = access_program_report(request.user, program_id)
    released = services.health_release(actor=request.user, scope=scope)
    health = released.health
    charts = [(CHART_TITLES[t.key], bar_chart(t.key, t.points)) for t in health.trends]
    tables = [
        (_("Participants"), health.participants, _rows(health.participants, ROLE_LABELS)),
        (
            _("Relationships by status"),
            health.relationships,
            _rows(health.relationships, dict(Relationship.Status.choices)),
        ),
    ]
    return render(
        request,
        "reporting/dashboard.html",
        {
            "program": scope.program,
            "health": health,
            "charts": charts,
            "tables": tables,
            "budget": released.budget,
        },
    )


@require_GET
@login_required
def export(request: SignedInRequest, program_id, fmt: str) -> HttpResponse:
    """The dashboard's figures as CSV or PDF (aggregates only; audited)."""
    scope = access_program_report(request.user, program_id)
    kind: services.ExportFormat = "pdf" if fmt == "pdf" else "csv"
    content = services.report_export(actor=request.user, scope=scope, fmt=kind)
    content_type = "application/pdf" if kind == "pdf" else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    day = timezone.localdate().isoformat()
    name = f"{scope.program.slug}-health-{day}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def policy(request: SignedInRequest, org_id) -> HttpResponse:
    """An organization's reporting policy: smallest group sizes, and differential privacy for
    counts (org admins only)."""
    organization = access_organization_admin(request.user, org_id)
    current = policy_for(organization)
    which = request.POST.get("form") if request.method == "POST" else None
    sizes = PolicyForm(
        request.POST if which == "sizes" else None,
        initial={"program_k": current.program_k, "organization_k": current.organization_k},
    )
    privacy = PrivacyForm(
        request.POST if which == "privacy" else None,
        initial={
            "dp_enabled": current.dp_enabled,
            "epsilon_per_view": current.dp_epsilon_per_view,
            "budget": current.dp_budget,
        },
    )
    form = sizes if which == "sizes" else privacy if which == "privacy" else None
    if form is not None and form.is_valid():
        try:
            if form is sizes:
                services.reporting_policy_update(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
            else:
                services.reporting_privacy_update(
                    actor=request.user,
                    organization=organization,
                    enabled=form.cleaned_data["dp_enabled"],
                    epsilon_per_view=form.cleaned_data["epsilon_per_view"],
                    budget=form.cleaned_data["budget"],
                )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Reporting policy saved."))
            return redirect("reporting:policy", org_id=organization.public_id)
    return render(
        request,
        "reporting/policy.html",
        {"organization": organization, "form": sizes, "privacy": privacy, "policy": current},
    )


@require_GET
@login_required
def insights_page(request: SignedInRequest, program_id) -> HttpResponse:
    """Pairs that may need support, among the consenting ones, each with its reasons."""
    scope = access_program_report(request.user, program_id)
    flags, looked_at = insights.at_risk(viewer=request.user, program=scope.program)
    return render(
        request,
        "reporting/insights.html",
        {"program": scope.program, "flags": flags, "looked_at": looked_at},
    )


@require_GET
@login_required
def my_signals(request: SignedInRequest) -> HttpResponse:
    """The engagement signals computed about the viewer's own relationships."""
    return render(
        request,
        "reporting/my_signals.html",
        {"signals": insights.my_signals(viewer=request.user)},
    )
