"""Library pages: a program's resources (search; openings for admins), one resource (an
article's text, a link, a document to download, a video to play), and the admins' add, edit
and archive. Domain errors rise to ``web/edge.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.library import selectors, services
from mentorhaven.library.access import access_library_program, access_resource, runs_program
from mentorhaven.library.content import content_response
from mentorhaven.library.forms import NewResourceForm, ResourceForm, SearchForm
from mentorhaven.library.models import Resource


def _to_resource(resource: Resource) -> HttpResponse:
    return redirect("library:resource_detail", resource_id=resource.public_id)


@login_required
def resource_list(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_library_program(request.user, public_id=program_id)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    can_run = runs_program(request.user, program)
    resources = selectors.resources_for(viewer=request.user, program=program, query=query)
    archived = (
        selectors.resources_for(viewer=request.user, program=program, archived=True)
        if can_run
        else []
    )
    context = {
        "program": program,
        "search": search,
        "query": query,
        "resources": resources,
        "archived": archived,
        "can_run": can_run,
        "views": selectors.view_figures(viewer=request.user, program=program),
    }
    return render(request, "library/resource_list.html", context)


@login_required
def resource_create(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_library_program(request.user, public_id=program_id, write=True)
    form = NewResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            resource = services.resource_create(
                actor=request.user,
                program=program,
                fileobj=upload,
                declared_name=upload.name if upload else "",
                **data,
            )
            messages.success(request, _("The resource is in the library."))
            return _to_resource(resource)
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
    status = 422 if request.method == "POST" else 200
    context = {"program": program, "form": form, "resource": None}
    return render(request, "library/resource_form.html", context, status=status)


@login_required
def resource_edit(request: SignedInRequest, resource_id) -> HttpResponse:
    resource = access_resource(request.user, resource_id, write=True)
    form = ResourceForm(request.POST or None, initial=ResourceForm.initial_for(resource))
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=request.user, resource=resource, **form.cleaned_data)
            messages.success(request, _("The resource is changed."))
            return _to_resource(resource)
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
    status = 422 if request.method == "POST" else 200
    context = {"program": resource.program, "form": form, "resource": resource}
    return render(request, "library/resource_form.html", context, status=status)


@login_required
def resource_detail(request: SignedInRequest, resource_id) -> HttpResponse:
    resource = access_resource(request.user, resource_id)
    if not resource.has_file:  # a document or video counts when its content is fetched
        services.resource_viewed(resource=resource)
    context = {"resource": resource, "can_run": runs_program(request.user, resource.program)}
    return render(request, "library/resource_detail.html", context)


@require_POST
@login_required
def resource_archive(request: SignedInRequest, resource_id) -> HttpResponse:
    resource = access_resource(request.user, resource_id, write=True)
    archive = request.POST.get("archive") != "0"
    services.resource_archive(actor=request.user, resource=resource, archived=archive)
    messages.success(
        request, _("The resource is archived.") if archive else _("The resource is restored.")
    )
    return _to_resource(resource)


@require_safe
@login_required
def resource_content(request: SignedInRequest, resource_id) -> HttpResponse:
    """The content, whole or one byte range; access is checked again on every request."""
    return content_response(request, access_resource(request.user, resource_id))
