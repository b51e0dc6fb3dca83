"""Pages: your consents, your requests and restriction, and the officers' request queue.
Domain errors rise to the HTML edge (web/edge.py): NotFound is the 404 page, a refusal a
message on the page the person came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.consent import access, forms, selectors, services
from mentorhaven.consent.domain import Method
from mentorhaven.programs.models import Organization

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _my_organizations(user: User):
    return Organization.objects.filter(members__user=user).distinct().order_by("name")


@login_required
def consents(request: SignedInRequest) -> HttpResponse:
    """Every consent purpose with its text, the person's choice, and one button to change it."""
    return render(
        request,
        "consent/consents.html",
        {
            "states": selectors.consent_state(viewer=request.user),
            "history": selectors.consent_history(viewer=request.user)[:50],
        },
    )


@require_POST
@login_required
def consent_give(request: SignedInRequest, purpose: str) -> HttpResponse:
    services.consent_give(actor=request.user, purpose=purpose, method=Method.PRIVACY_PAGE)
    messages.success(request, _("Your consent is recorded."))
    return redirect("consent_home")


@require_POST
@login_required
def consent_withdraw(request: SignedInRequest, purpose: str) -> HttpResponse:
    services.consent_withdraw(actor=request.user, purpose=purpose, method=Method.PRIVACY_PAGE)
    messages.success(request, _("Your consent is withdrawn. It took effect everywhere at once."))
    return redirect("consent_home")


@login_required
def my_requests(request: SignedInRequest) -> HttpResponse:
    """The person's requests, a form to ask for what they cannot do themselves (a correction
    of data they cannot edit, for example), and the restriction switch."""
    organizations = _my_organizations(request.user)
    form = forms.DataRequestForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        services.data_request_create(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            details=form.cleaned_data["details"],
            organization=form.cleaned_data["organization"],
        )
        messages.success(request, _("Your request was received. We answer within one month."))
        return redirect("data_requests")
    return render(
        request,
        "consent/requests.html",
        {
            "form": form,
            "restriction_form": forms.RestrictionForm(organizations=organizations),
            "restriction": selectors.active_restriction(viewer=request.user),
            "requests": selectors.my_requests(viewer=request.user),
            "has_organization": organizations.exists(),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def restriction_start(request: SignedInRequest) -> HttpResponse:
    form = forms.RestrictionForm(request.POST, organizations=_my_organizations(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the organization and keep the text short."))
        return redirect("data_requests")
    services.restriction_start(
        actor=request.user,
        details=form.cleaned_data["details"],
        organization=form.cleaned_data["organization"],
    )
    messages.success(
        request, _("Processing of your data is restricted until the dispute is resolved.")
    )
    return redirect("data_requests")


@require_POST
@login_required
def restriction_lift(request: SignedInRequest, restriction_id) -> HttpResponse:
    restriction = access.access_restriction(request.user, restriction_id)
    services.restriction_lift(actor=request.user, restriction=restriction)
    messages.success(request, _("The restriction is lifted."))
    return redirect("data_requests")


@login_required
def queue(request: SignedInRequest) -> HttpResponse:
    """The data-protection officers' queue: open requests, soonest deadline first."""
    organizations = access.access_request_queue(request.user)
    include_closed = request.GET.get("closed") == "show"
    rows = selectors.request_queue(
        viewer=request.user, organizations=organizations, include_closed=include_closed
    )
    return render(request, "consent/queue.html", {"rows": rows, "include_closed": include_closed})


@require_GET
@login_required
def request_detail(request: SignedInRequest, request_id) -> HttpResponse:
    """One request: its requester sees it; an officer of its organization reads it (an
    audited access to the requester's data) and moves it on."""
    found = access.access_data_request(request.user, request_id)
    is_officer = access.dpo_organizations(request.user).filter(pk=found.organization_id).exists()
    return render(
        request,
        "consent/request_detail.html",
        {
            "request_obj": found,
            "details": selectors.request_details(viewer=request.user, request=found),
            "form": forms.StatusForm(initial={"status": found.status}),
            "is_officer": is_officer,
        },
    )


@require_POST
@login_required
def request_status(request: SignedInRequest, request_id) -> HttpResponse:
    found = access.access_data_request(request.user, request_id, write=True)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        services.data_request_status_set(
            actor=request.user, request=found, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The request was updated."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("data_request_detail", request_id=found.public_id)
