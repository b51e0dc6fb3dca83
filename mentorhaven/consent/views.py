"""Pages: your consents, your requests and restriction, and the officers' request queue."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorhaven.consent import access, forms, selectors, services
from mentorhaven.consent.domain import Method
from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.programs.models import Organization


def _guarded(view):
    """NotFound → 404, PermissionDenied → 403; other refusals become a message."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied from exc
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(request.path if request.method == "GET" else "consent_home")

    return login_required(wrapped)


def _my_organizations(user):
    return Organization.objects.filter(members__user=user).distinct().order_by("name")


@_guarded
def consents(request: HttpRequest) -> HttpResponse:
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
@_guarded
def consent_give(request: HttpRequest, purpose: str) -> HttpResponse:
    services.consent_give(actor=request.user, purpose=purpose, method=Method.PRIVACY_PAGE)
    messages.success(request, _("Your consent is recorded."))
    return redirect("consent_home")


@require_POST
@_guarded
def consent_withdraw(request: HttpRequest, purpose: str) -> HttpResponse:
    services.consent_withdraw(actor=request.user, purpose=purpose, method=Method.PRIVACY_PAGE)
    messages.success(request, _("Your consent is withdrawn. It took effect everywhere at once."))
    return redirect("consent_home")


@_guarded
def my_requests(request: HttpRequest) -> HttpResponse:
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
@_guarded
def restriction_start(request: HttpRequest) -> HttpResponse:
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
@_guarded
def restriction_lift(request: HttpRequest, restriction_id) -> HttpResponse:
    restriction = access.access_restriction(request.user, restriction_id)
    services.restriction_lift(actor=request.user, restriction=restriction)
    messages.success(request, _("The restriction is lifted."))
    return redirect("data_requests")


@_guarded
def queue(request: HttpRequest) -> HttpResponse:
    """The data-protection officers' queue: open requests, soonest deadline first."""
    organizations = access.access_request_queue(request.user)
    include_closed = request.GET.get("closed") == "show"
    rows = selectors.request_queue(
        viewer=request.user, organizations=organizations, include_closed=include_closed
    )
    return render(request, "consent/queue.html", {"rows": rows, "include_closed": include_closed})


@require_GET
@_guarded
def request_detail(request: HttpRequest, request_id) -> HttpResponse:
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
@_guarded
def request_status(request: HttpRequest, request_id) -> HttpResponse:
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
