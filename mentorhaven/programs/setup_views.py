"""The first-run page of an empty install, and the org admins' pages that set programs up."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.programs.access import (
    access_organization_admin,
    access_program_setup,
    administered_organizations,
)
from mentorhaven.programs.forms import ProgramCreateForm, ProgramEditForm, SetupForm
from mentorhaven.programs.selectors import organization_programs_for, setup_open
from mentorhaven.programs.services import (
    program_archive,
    program_create,
    program_update,
    setup_complete,
)


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@never_cache
def setup(request: HttpRequest) -> HttpResponse:
    """Open to anyone, but only while no organization exists; the set-up token printed on the
    server is the credential (``services.setup``)."""
    if not setup_open():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = setup_complete(
                token=data["token"],
                name=data["name"],
                slug=data["slug"],
                admin_email=data["admin_email"],
                admin_name=data["admin_name"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "programs/setup_done.html", {"result": result})
    status = 422 if request.method == "POST" else 200
    return render(request, "programs/setup.html", {"form": form}, status=status)


@login_required
def programs_home(request: SignedInRequest) -> HttpResponse:
    organizations = list(administered_organizations(_me(request)).order_by("name"))
    if not organizations:
        raise Http404
    if len(organizations) == 1:
        return redirect("programs_manage", org_id=organizations[0].public_id)
    return render(request, "programs/programs_choose.html", {"organizations": organizations})


@login_required
def programs_manage(request: SignedInRequest, org_id) -> HttpResponse:
    organization = access_organization_admin(_me(request), org_id)
    form = ProgramCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = program_create(
                actor=_me(request), organization=organization, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Program created. Now set it up."))
            return redirect("program_edit", program_id=program.public_id)
    programs = organization_programs_for(viewer=_me(request), organization=organization)
    status = 422 if request.method == "POST" else 200
    context = {"organization": organization, "form": form, "programs": programs}
    return render(request, "programs/programs_manage.html", context, status=status)


@login_required
def program_edit(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_setup(_me(request), public_id=program_id, write=True)
    form = ProgramEditForm(request.POST or None, initial=ProgramEditForm.initial_for(program))
    if program.archived_at is not None:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            program_update(actor=_me(request), program=program, changes=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Program saved."))
            return redirect("program_edit", program_id=program.public_id)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "programs/program_edit.html", {"program": program, "form": form}, status=status
    )


@require_POST
@login_required
def program_archive_view(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_setup(_me(request), public_id=program_id, write=True)
    program_archive(actor=_me(request), program=program)
    messages.success(request, _("Program archived: it can no longer be changed."))
    return redirect("programs_manage", org_id=program.organization.public_id)
