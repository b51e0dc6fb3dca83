"""The retention page for an organization's admins: periods in force, what the next 30 days
will delete and why, and legal holds (place, release). Auditors and security officers see it
read-only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.retention import selectors, services
from mentorhaven.retention.access import (
    access_retention_organization,
    administered_organizations,
    overseen_organizations,
)
from mentorhaven.retention.forms import HoldForm, PolicyForm


def _page(request: SignedInRequest, organization, *, hold_form=None, status=200) -> HttpResponse:
    me = request.user
    return render(
        request,
        "retention/home.html",
        {
            "organization": organization,
            "can_change": administered_organizations(me).filter(pk=organization.pk).exists(),
            "policies": selectors.policies_for(viewer=me, organization=organization),
            "forecast": selectors.forecast_for(viewer=me, organization=organization),
            "forecast_days": selectors.FORECAST_DAYS,
            "holds": selectors.holds_for(viewer=me, organization=organization),
            "hold_form": hold_form or HoldForm(),
        },
        status=status,
    )


@login_required
def retention_home(request: SignedInRequest) -> HttpResponse:
    organization = overseen_organizations(request.user).order_by("name").first()
    if organization is None:
        raise Http404
    return _page(request, organization)


@login_required
@require_POST
def policy_set(request: SignedInRequest, org_id) -> HttpResponse:
    # Who may change it is decided before the form is read: a stranger learns nothing from it.
    access_retention_organization(request.user, org_id, write=True)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a whole number of days."))
        return redirect("retention")
    services.retention_policy_set(
        actor=request.user,
        organization_id=org_id,
        kind=form.cleaned_data["kind"],
        days=form.cleaned_data["days"],
    )
    messages.success(request, _("Retention period saved."))
    return redirect("retention")


@login_required
@require_POST
def hold_place(request: SignedInRequest, org_id) -> HttpResponse:
    organization = access_retention_organization(request.user, org_id, write=True)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_place(
                actor=request.user, organization_id=org_id, **form.cleaned_data
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Legal hold placed."))
            return redirect("retention")
    return _page(request, organization, hold_form=form, status=422)


@login_required
@require_POST
def hold_release(request: SignedInRequest, hold_id) -> HttpResponse:
    services.legal_hold_release(actor=request.user, hold_id=hold_id)
    messages.success(request, _("Legal hold released."))
    return redirect("retention")
