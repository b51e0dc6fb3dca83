"""Admin pages: exclusions, match runs from draft to publication, the fairness report."""

from __future__ import annotations

import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import NotFound
from mentorhaven.matching import fairness, forms, selectors, services
from mentorhaven.matching.access import (
    access_exclusion,
    access_pair,
    access_program_admin,
    access_run,
)
from mentorhaven.matching.models import (
    Exclusion,
    MatchRun,
    ParticipantRole,
    Question,
)
from mentorhaven.matching.views._common import MENTEE, MENTOR, _to
from mentorhaven.programs.access import access_participant, access_program
from mentorhaven.programs.domain import coordinators_run_matching


@require_POST
@login_required
def exclusion_add(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program(request.user, program_id)
    people = selectors.other_participants(viewer=request.user, program=program)
    form = forms.PersonForm(request.POST, people=people)
    if form.is_valid():
        services.exclusion_add(
            actor=request.user,
            program=program,
            person=request.user,
            other=access_participant(
                program, form.cleaned_data["person"], roles=ParticipantRole.values
            ),
            kind=Exclusion.Kind.NOT_THIS_PERSON,
        )
        messages.success(request, _("You will not be matched with this person."))
    return redirect(
        request.headers.get("Referer")
        or reverse("matching_hub", kwargs={"program_id": program.public_id})
    )


@require_POST
@login_required
def exclusion_remove(request: SignedInRequest, exclusion_id) -> HttpResponse:
    exclusion = access_exclusion(request.user, exclusion_id)
    program = exclusion.program
    services.exclusion_remove(actor=request.user, exclusion=exclusion)
    return redirect(
        request.headers.get("Referer")
        or reverse("matching_hub", kwargs={"program_id": program.public_id})
    )


@login_required
def runs(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    if request.method == "POST":
        run = services.match_run_create(actor=request.user, program=program)
        return _to("matching_run", run_id=run.public_id)
    people = selectors.participants(program=program, role="mentee")
    mentors = selectors.participants(program=program, role="mentor")
    return render(
        request,
        "matching/runs.html",
        {
            "program": program,
            "runs": selectors.runs_for(viewer=request.user, program=program),
            "runs_open": coordinators_run_matching(program.settings),
            "managers": selectors.manager_exclusions(viewer=request.user, program=program),
            "manager_form": forms.PairForm(mentees=people, mentors=mentors),
        },
    )


@require_POST
@login_required
def manager_add(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    form = forms.PairForm(
        request.POST,
        mentees=selectors.participants(program=program, role="mentee"),
        mentors=selectors.participants(program=program, role="mentor"),
    )
    if form.is_valid():
        services.exclusion_add(
            actor=request.user,
            program=program,
            person=access_participant(program, form.cleaned_data["mentee"], roles=[MENTEE]),
            other=access_participant(program, form.cleaned_data["mentor"], roles=[MENTOR]),
            kind=Exclusion.Kind.MANAGER,
        )
        messages.success(request, _("These two will not be matched."))
    return _to("matching_runs", program_id=program.public_id)


PAIRS_PER_PAGE = 50


def _run_context(request: SignedInRequest, run) -> dict:
    """The run, one page of its pairs, (``?swap=<pair>``) the form to swap one pair's mentor
    with another pair's: the full list of pairs is offered only there, once; and (``?add=1``)
    the form to pair two people by hand, with every mentor who has a free seat: counting seats
    and listing them is done only there, not on every look at the pairs."""
    pairs = selectors.run_pairs(viewer=request.user, run=run)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    selectors.record_pairs_read(viewer=request.user, run=run, pairs=shown)
    draft = run.status == MatchRun.Status.DRAFT
    swapping = None
    if draft and request.GET.get("swap"):
        with contextlib.suppress(ValueError):
            swapping = pairs.filter(public_id=uuid.UUID(request.GET["swap"])).first()
    return {
        "run": run,
        "program": run.program,
        "pairs": shown,
        "page": page,
        "draft": draft,
        "swapping": swapping,
        "swap_with": pairs.exclude(pk=swapping.pk) if swapping else [],
        "add_form": forms.DraftPairForm(
            mentees=selectors.unpaired_mentees(viewer=request.user, run=run),
            mentors=selectors.mentors_with_a_free_seat(program=run.program, run=run),
        )
        if draft and request.GET.get("add") == "1"
        else None,
    }


@login_required
def run_detail(request: SignedInRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    return render(request, "matching/run.html", _run_context(request, run))


@require_POST
@login_required
def pair_remove(request: SignedInRequest, pair_id) -> HttpResponse:
    pair = access_pair(request.user, pair_id)
    services.match_pair_remove(actor=request.user, pair=pair)
    if getattr(request, "htmx", False):  # the figures and the table, updated in place
        run = access_run(request.user, pair.run.public_id)
        return render(request, "matching/_run_body.html", _run_context(request, run))
    return _to("matching_run", run_id=pair.run.public_id)


@require_POST
@login_required
def pair_swap(request: SignedInRequest, pair_id) -> HttpResponse:
    pair = access_pair(request.user, pair_id)
    other = access_pair(request.user, request.POST.get("other", ""))
    services.match_pair_swap(actor=request.user, pair=pair, other=other)
    return _to("matching_run", run_id=pair.run.public_id)


@require_POST
@login_required
def pair_add(request: SignedInRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    # People named by the client are looked up among the program's participants only: a
    # stranger's id gets the same 404 as an unknown one.
    services.match_pair_add(
        actor=request.user,
        run=run,
        mentee=access_participant(run.program, request.POST.get("mentee", ""), roles=[MENTEE]),
        mentor=access_participant(run.program, request.POST.get("mentor", ""), roles=[MENTOR]),
    )
    return _to("matching_run", run_id=run.public_id)


@login_required
def run_publish(request: SignedInRequest, run_id) -> HttpResponse:
    """GET asks first (how many relationships it proposes); POST publishes."""
    run = access_run(request.user, run_id)
    if request.method != "POST":
        if run.status != MatchRun.Status.DRAFT:
            return _to("matching_run", run_id=run.public_id)
        pairs = selectors.run_pairs(viewer=request.user, run=run).count()
        return render(
            request,
            "matching/run_publish.html",
            {"run": run, "program": run.program, "pairs": pairs},
        )
    created = services.match_run_publish(actor=request.user, run=run)
    count = len(created)
    messages.success(
        request,
        ngettext(
            "Published: %(count)d proposed relationship.",
            "Published: %(count)d proposed relationships.",
            count,
        )
        % {"count": count},
    )
    return _to("matching_run", run_id=run.public_id)


@require_POST
@login_required
def run_discard(request: SignedInRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    services.match_run_discard(actor=request.user, run=run)
    return _to("matching_runs", program_id=run.program.public_id)


@login_required
def fairness_page(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    sensitive = [
        q
        for q in selectors.questions_for(program=program)
        if q.sensitive and q.kind != Question.Kind.TEXT
    ]
    report = None
    chosen = request.GET.get("question")
    role = "mentor" if request.GET.get("role") == "mentor" else "mentee"
    if chosen:
        question = next((q for q in sensitive if str(q.public_id) == chosen), None)
        if question is None:
            raise NotFound()
        report = fairness.fairness_report(
            viewer=request.user, program=program, question=question, role=role
        )
    return render(
        request,
        "matching/fairness.html",
        {
            "program": program,
            "questions": sensitive,
            "report": report,
            "role": role,
            "chosen": chosen,
        },
    )
