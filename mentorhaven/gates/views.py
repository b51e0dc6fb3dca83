"""Pages of the gates: accept an agreement, publish one, take the training, see completion
figures, and the break-glass requests, decisions and reads."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.gates import domain, selectors, services
from mentorhaven.gates.access import (
    access_agreement_to_accept,
    access_grant,
    access_grant_for_reading,
    admin_organizations,
    pending_agreement,
)
from mentorhaven.gates.forms import (
    AcceptAgreementForm,
    BreakGlassRequestForm,
    BreakGlassSearchForm,
    PublishAgreementForm,
    QuizForm,
)
from mentorhaven.kernel.access import fetch
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Organization, Program

# --- agreement ---------------------------------------------------------------------------------


@login_required
def agreement(request: SignedInRequest, version_id) -> HttpResponse:
    version = access_agreement_to_accept(request.user, version_id)
    form = AcceptAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.agreement_accept(actor=request.user, version=version)
        following = pending_agreement(request.user)
        if following is not None:
            return redirect("gates:agreement", version_id=following)
        messages.success(request, _("Thank you: you accepted the confidentiality agreement."))
        return redirect("dashboard")
    accepted = version.acceptances.filter(user=cast(User, request.user)).exists()
    return render(
        request,
        "gates/agreement.html",
        {"version": version, "form": form, "accepted": accepted},
    )


def _org_admin_program(viewer: User, program_id) -> Program:
    """A program of an organization the viewer administers (org admins publish agreements)."""
    return fetch(
        Program.objects.filter(organization_id__in=admin_organizations(viewer)).select_related(
            "organization"
        ),
        program_id,
    )


@login_required
def agreement_publish(request: SignedInRequest, program_id) -> HttpResponse:
    program = _org_admin_program(request.user, program_id)
    form = PublishAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = services.agreement_publish(
            actor=request.user, program=program, text=form.cleaned_data["text"]
        )
        messages.success(
            request,
            _("Version %(number)s is published: participants accept it before going on.")
            % {"number": version.number},
        )
        return redirect("gates:agreement_publish", program_id=program.public_id)
    history = selectors.agreement_history(program=program)
    return render(
        request,
        "gates/agreement_publish.html",
        {"program": program, "form": form, "history": history},
    )


# --- training ----------------------------------------------------------------------------------


@login_required
def training(request: SignedInRequest) -> HttpResponse:
    form = QuizForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        passed, score = services.training_submit(actor=request.user, answers=form.cleaned_data)
        result = {"passed": passed, "score": score, "of": len(domain.QUIZ)}
        if passed:
            messages.success(request, _("You passed the security training."))
            return redirect("gates:training")
    state = selectors.training_state(viewer=request.user)
    return render(
        request,
        "gates/training.html",
        {
            "form": form,
            "result": result,
            "state": state,
            "due": domain.training_due_at(state.passed_at) if state else None,
            "pass_mark": domain.PASS_MARK,
            "questions": len(domain.QUIZ),
        },
    )


@login_required
def training_figures(request: SignedInRequest, program_id) -> HttpResponse:
    """Coordinators (program admins, org admins): how many mentors are trained, k-anonymous."""
    program = fetch(administered_programs(request.user).select_related("organization"), program_id)
    figures = selectors.training_figures(program=program)
    return render(request, "gates/training_figures.html", {"program": program, "figures": figures})


# --- break-glass -------------------------------------------------------------------------------


def _admin_org(viewer: User, org_id) -> Organization:
    return fetch(Organization.objects.filter(pk__in=admin_organizations(viewer)), org_id)


@login_required
def breakglass_list(request: SignedInRequest, org_id) -> HttpResponse:
    org = _admin_org(request.user, org_id)
    search = BreakGlassSearchForm(request.POST if request.method == "POST" else request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    choices = selectors.breakglass_choices(viewer=request.user, organization=org, query=query)
    form = BreakGlassRequestForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = fetch(choices.allowed_people, data["subject"])
        relationship = None
        if data["relationship"]:
            relationship = fetch(
                choices.allowed_relationships.select_related("program"), data["relationship"]
            )
        grant = services.breakglass_request(
            actor=request.user,
            organization=org,
            subject=subject,
            relationship=relationship,
            reason=data["reason"],
            justification=data["justification"],
            hours=data["hours"],
            legal_exception_reason=data["legal_exception_reason"],
        )
        messages.success(request, _("Your request waits for a second admin."))
        return redirect("gates:breakglass_detail", grant_id=grant.public_id)
    grants = selectors.grants_for(viewer=request.user).filter(organization=org)[:50]
    return render(
        request,
        "gates/breakglass_list.html",
        {"org": org, "form": form, "search": search, "choices": choices, "grants": grants},
    )


@login_required
def breakglass_detail(request: SignedInRequest, grant_id) -> HttpResponse:
    grant = access_grant(request.user, grant_id)
    return render(
        request,
        "gates/breakglass_detail.html",
        {
            "grant": grant,
            "mine": grant.requested_by_id == request.user.pk,
            "open": grant.is_open(),
        },
    )


@require_POST
@login_required
def breakglass_decide(request: SignedInRequest, grant_id, decision: str) -> HttpResponse:
    grant = access_grant(request.user, grant_id, write=True)
    action = {
        "approve": services.breakglass_approve,
        "reject": services.breakglass_reject,
        "revoke": services.breakglass_revoke,
    }.get(decision)
    if action is None:
        raise NotFound()
    action(actor=request.user, grant=grant)
    return redirect(reverse("gates:breakglass_detail", kwargs={"grant_id": grant.public_id}))


@login_required
def breakglass_read(request: SignedInRequest, grant_id) -> HttpResponse:
    grant = access_grant_for_reading(request.user, grant_id)
    content = selectors.content_under_grant(viewer=request.user, grant=grant)
    return render(request, "gates/breakglass_read.html", {"grant": grant, "content": content})
