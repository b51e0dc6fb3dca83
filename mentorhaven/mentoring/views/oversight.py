"""What program admins see of a program's relationships: counts only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.mentoring import selectors
from mentorhaven.mentoring.access import (
    access_program_oversight,
)
from mentorhaven.programs.access import administered_programs


@login_required
def program_overview(request: SignedInRequest, program_id) -> HttpResponse:
    """Who is matched, status and counts per relationship; never text. Feedback appears only
    as an aggregate over a group of at least the program's minimum size."""
    program = access_program_oversight(request.user, program_id)
    figures = selectors.program_figures(
        viewer=request.user, program=program, page=request.GET.get("page")
    )
    can_manage = administered_programs(request.user).filter(pk=program.pk).exists()
    closing = selectors.closing_survey_summary(program=program)
    return render(
        request,
        "mentoring/program.html",
        {"program": program, "figures": figures, "can_manage": can_manage, "closing": closing},
    )
