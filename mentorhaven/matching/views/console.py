"""The coordinator's console: a program's pipeline on a page, and as a CSV file."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.matching import console, forms
from mentorhaven.matching.access import access_program_admin
from mentorhaven.matching.pipeline import csv_cell

PEOPLE_PER_PAGE = 100
# Names listed under each stage of the pipeline; the list below the pipeline has them all.
NAMES_PER_STAGE = 12
# Rows of the unmatched-mentee and mentor-seat tables before "see them all in the list".
ROWS_PER_SECTION = 50


def _filtered(
    request: SignedInRequest, program
) -> tuple[forms.ConsoleFilterForm, console.Console, list]:
    form = forms.ConsoleFilterForm(request.GET or None)
    found = console.program_console(viewer=request.user, program=program)
    wanted = form.cleaned_data if form.is_valid() else {}
    rows = console.filter_rows(
        found.rows,
        stage=wanted.get("stage", ""),
        role=wanted.get("role", ""),
        unmatched=wanted.get("unmatched", False),
    )
    return form, found, rows


@require_GET
@login_required
def console_page(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    form, found, rows = _filtered(request, program)
    page = Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "matching/console.html",
        {
            "program": program,
            "console": found,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "names_per_stage": NAMES_PER_STAGE,
            "rows_per_section": ROWS_PER_SECTION,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def console_csv(request: SignedInRequest, program_id) -> HttpResponse:
    """The filtered list as CSV; every cell neutralised against spreadsheet formulas."""
    program = access_program_admin(request.user, program_id)
    form, _found, rows = _filtered(request, program)
    if form.errors:
        return HttpResponse(
            _("These filters are not valid."), status=400, content_type="text/plain"
        )
    console.record_export(viewer=request.user, program=program, rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-people-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Role"), _("Stage"), _("Note")])
    for row in rows:
        writer.writerow(
            [csv_cell(v) for v in (row.name, row.role_label, row.stage_label, row.note)]
        )
    return response
