"""The incident register's pages, for security officers: the list and the form to open one,
and each incident's page (its regulator clock, log, stage and actions)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import User
from mentorhaven.incidents import containment, domain, notices, selectors, services
from mentorhaven.incidents.access import (
    access_alert,
    access_incident,
    access_incident_organization,
    officer_organizations,
)
from mentorhaven.incidents.forms import (
    AdvanceForm,
    ContainForm,
    EntryForm,
    ImpactForm,
    IncidentOpenForm,
    NotifyForm,
)
from mentorhaven.kernel.errors import ApplicationError


def _me(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


@login_required
def incident_list(request: HttpRequest, *, form=None, status=200) -> HttpResponse:
    organizations = list(officer_organizations(request.user).order_by("name"))
    if not organizations:
        raise Http404
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": selectors.incidents_for(viewer=_me(request)),
            "organizations": organizations,
            "form": form or IncidentOpenForm(),
        },
        status=status,
    )


@login_required
@require_POST
def incident_open(request: HttpRequest, org_id) -> HttpResponse:
    access_incident_organization(request.user, org_id)
    form = IncidentOpenForm(request.POST)
    if form.is_valid():
        try:
            incident = services.incident_open(
                actor=_me(request), organization_id=org_id, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Incident opened. The regulator's clock is running."))
            return redirect("incidents:detail", incident_id=incident.public_id)
    return incident_list(request, form=form, status=422)


def _detail(request: HttpRequest, incident, *, entry_form=None, status=200) -> HttpResponse:
    following = domain.next_stage(incident.stage)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "clock": selectors.clock_for(incident),
            "entries": selectors.entries_for(viewer=_me(request), incident=incident),
            "entry_form": entry_form or EntryForm(),
            "advance_form": AdvanceForm(initial={"stage": following}) if following else None,
            "next_stage": following,
            "contain_form": ContainForm() if incident.account_id and following else None,
            "notify_form": NotifyForm() if following else None,
        },
        status=status,
    )


@login_required
def incident_detail(request: HttpRequest, incident_id) -> HttpResponse:
    return _detail(request, access_incident(request.user, incident_id))


@login_required
@require_POST
def incident_entry_add(request: HttpRequest, incident_id) -> HttpResponse:
    incident = access_incident(request.user, incident_id, write=True)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            services.incident_entry_add(
                actor=_me(request), incident_id=incident_id, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Added to the incident's log."))
            return redirect("incidents:detail", incident_id=incident_id)
    return _detail(request, incident, entry_form=form, status=422)


@login_required
@require_POST
def incident_advance(request: HttpRequest, incident_id) -> HttpResponse:
    access_incident(request.user, incident_id, write=True)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next stage."))
        return redirect("incidents:detail", incident_id=incident_id)
    services.incident_advance(actor=_me(request), incident_id=incident_id, **form.cleaned_data)
    messages.success(request, _("Stage changed."))
    return redirect("incidents:detail", incident_id=incident_id)


@login_required
@require_POST
def incident_regulator_notified(request: HttpRequest, incident_id) -> HttpResponse:
    access_incident(request.user, incident_id, write=True)
    services.incident_regulator_notified(actor=_me(request), incident_id=incident_id)
    messages.success(request, _("Recorded: the regulator was told."))
    return redirect("incidents:detail", incident_id=incident_id)


@login_required
@require_POST
def incident_contain(request: HttpRequest, incident_id) -> HttpResponse:
    access_incident(request.user, incident_id, write=True)
    form = ContainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one containment step."))
        return redirect("incidents:detail", incident_id=incident_id)
    containment.incident_contain(
        actor=_me(request), incident_id=incident_id, steps=form.cleaned_data["steps"]
    )
    messages.success(request, _("The account is contained."))
    return redirect("incidents:detail", incident_id=incident_id)


@login_required
def incident_impact(request: HttpRequest, incident_id) -> HttpResponse:
    """Whose data the incident's account (or anyone, in the window) touched; run when the form
    is submitted (each run is audited), among the organization's members only."""
    incident = access_incident(request.user, incident_id)
    form = ImpactForm(request.GET or None)
    result, status = None, 200
    if form.is_bound:
        if form.is_valid():
            try:
                result = selectors.impact_for(
                    viewer=_me(request), incident=incident, **form.cleaned_data
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 422
        else:
            status = 422
    return render(
        request,
        "incidents/impact.html",
        {
            "incident": incident,
            "clock": selectors.clock_for(incident),
            "form": form,
            "result": result,
            "notices": list(domain.NOTICES.items()),
        },
        status=status,
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    if not officer_organizations(request.user).exists():
        raise Http404
    return render(
        request, "incidents/alerts.html", {"alerts": selectors.alerts_for(viewer=_me(request))}
    )


@login_required
@require_POST
def alert_open_incident(request: HttpRequest, alert_id) -> HttpResponse:
    access_alert(request.user, alert_id, write=True)
    incident = services.alert_open_incident(actor=_me(request), alert_id=alert_id)
    messages.success(
        request, _("Incident opened from the alert. The regulator's clock is running.")
    )
    return redirect("incidents:detail", incident_id=incident.public_id)


@login_required
@require_POST
def alert_dismiss(request: HttpRequest, alert_id) -> HttpResponse:
    access_alert(request.user, alert_id, write=True)
    services.alert_dismiss(actor=_me(request), alert_id=alert_id)
    messages.success(request, _("Alert dismissed."))
    return redirect("incidents:alerts")


@login_required
@require_POST
def incident_notify(request: HttpRequest, incident_id) -> HttpResponse:
    access_incident(request.user, incident_id, write=True)
    form = NotifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a notice and give the addresses."))
        return redirect("incidents:detail", incident_id=incident_id)
    made = notices.incident_notify(
        actor=_me(request),
        incident_id=incident_id,
        template=form.cleaned_data["template"],
        emails=notices.parse_addresses(form.cleaned_data["recipients"]),
    )
    messages.success(request, _("%(n)d people told.") % {"n": len(made)})
    return redirect("incidents:detail", incident_id=incident_id)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """A person's own security notices (everyone signed in has this page)."""
    return render(
        request, "incidents/notices.html", {"notices": notices.notices_for(viewer=_me(request))}
    )


@login_required
def not_me(request: HttpRequest) -> HttpResponse:
    """ "This wasn't me": the confirmation page, then the lock (see ``not_me.account_not_me``).
    The person is signed out at once; the page says what happens next."""
    if request.method != "POST":
        return render(request, "incidents/not_me.html", {"done": False})
    from django.contrib.auth import logout

    from mentorhaven.incidents.not_me import account_not_me

    account_not_me(actor=_me(request))
    logout(request)
    return render(request, "incidents/not_me.html", {"done": True})


@login_required
@require_POST
def incident_unlock(request: HttpRequest, incident_id) -> HttpResponse:
    access_incident(request.user, incident_id, write=True)
    containment.incident_account_unlock(actor=_me(request), incident_id=incident_id)
    messages.success(request, _("The account is unlocked."))
    return redirect("incidents:detail", incident_id=incident_id)
