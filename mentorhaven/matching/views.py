"""Matching pages: the questionnaire editor and match runs for admins, the questionnaire,
suggestions and requests for participants, and the fairness report."""

from __future__ import annotations

import contextlib
import functools
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.matching import fairness, forms, selectors, services
from mentorhaven.matching.access import (
    access_exclusion,
    access_pair,
    access_participation,
    access_program_admin,
    access_question,
    access_run,
    participant_roles,
)
from mentorhaven.matching.models import Exclusion, MatchRun, ParticipantRole, Question
from mentorhaven.mentoring.access import access_relationship
from mentorhaven.mentoring.services import relationship_decline
from mentorhaven.programs.access import access_participant, access_program

MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR


def _guarded(view):
    """NotFound → 404, PermissionDenied → 403; other refusals become a message on the page
    the person came from."""

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
            return redirect(request.headers.get("Referer") or reverse("home"))

    return login_required(wrapped)


def _to(name: str, **kwargs) -> HttpResponse:
    return redirect(reverse(name, kwargs=kwargs))


@_guarded
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "matching/home.html",
        {"programs": selectors.programs_for_matching(viewer=request.user)},
    )


@_guarded
def hub(request: HttpRequest, program_id) -> HttpResponse:
    program = access_program(request.user, program_id)
    is_admin = True
    try:
        access_program_admin(request.user, program_id)
    except NotFound:
        is_admin = False
    roles = participant_roles(request.user, program)
    if not is_admin and not roles:
        raise NotFound()
    return render(
        request,
        "matching/hub.html",
        {
            "program": program,
            "is_admin": is_admin,
            "roles": roles,
            "matches": selectors.my_matches(viewer=request.user, program=program),
        },
    )


# --- admins: questionnaire -----------------------------------------------------------------------


@_guarded
def questions(request: HttpRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.question_create(actor=request.user, program=program, **form.service_fields())
        messages.success(request, "Question added.")
        return _to("matching_questions", program_id=program.public_id)
    return render(
        request,
        "matching/questions.html",
        {
            "program": program,
            "form": form,
            "questions": selectors.questions_for(program=program),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@_guarded
def question_delete(request: HttpRequest, question_id) -> HttpResponse:
    question = access_question(request.user, question_id)
    program = question.program
    services.question_delete(actor=request.user, question=question)
    messages.success(request, "Question deleted, with its answers.")
    return _to("matching_questions", program_id=program.public_id)


# --- participants: questionnaire, "not this person" ----------------------------------------------


@_guarded
def questionnaire(request: HttpRequest, program_id, role: str) -> HttpResponse:
    if role not in ("mentee", "mentor"):
        raise NotFound()
    program = access_participation(request.user, program_id, role)
    mine = selectors.my_questionnaire(viewer=request.user, program=program, role=role)
    form = forms.QuestionnaireForm(
        request.POST or None,
        questions=mine.questions,
        role=role,
        initial=forms.QuestionnaireForm.initial_from(mine),
    )
    if request.method == "POST" and form.is_valid():
        services.questionnaire_submit(
            actor=request.user,
            program=program,
            role=role,
            answers=form.answers(),
            consents=form.consents(),
            headline=form.cleaned_data["headline"],
            goals=form.cleaned_data["goals"],
            capacity=form.cleaned_data.get("capacity"),
            paused=form.cleaned_data.get("paused"),
        )
        messages.success(request, "Your answers are saved.")
        return _to("matching_questionnaire", program_id=program.public_id, role=role)
    people = selectors.other_participants(viewer=request.user, program=program)
    return render(
        request,
        "matching/questionnaire.html",
        {
            "program": program,
            "role": role,
            "form": form,
            "exclusions": selectors.my_exclusions(viewer=request.user, program=program),
            "exclude_form": forms.PersonForm(people=people, label="Never match me with"),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@_guarded
def exclusion_add(request: HttpRequest, program_id) -> HttpResponse:
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
        messages.success(request, "You will not be matched with this person.")
    return redirect(
        request.headers.get("Referer")
        or reverse("matching_hub", kwargs={"program_id": program.public_id})
    )


@require_POST
@_guarded
def exclusion_remove(request: HttpRequest, exclusion_id) -> HttpResponse:
    exclusion = access_exclusion(request.user, exclusion_id)
    program = exclusion.program
    services.exclusion_remove(actor=request.user, exclusion=exclusion)
    return redirect(
        request.headers.get("Referer")
        or reverse("matching_hub", kwargs={"program_id": program.public_id})
    )


# --- admins: runs --------------------------------------------------------------------------------


@_guarded
def runs(request: HttpRequest, program_id) -> HttpResponse:
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
            "managers": selectors.manager_exclusions(viewer=request.user, program=program),
            "manager_form": forms.PairForm(mentees=people, mentors=mentors),
        },
    )


@require_POST
@_guarded
def manager_add(request: HttpRequest, program_id) -> HttpResponse:
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
        messages.success(request, "These two will not be matched.")
    return _to("matching_runs", program_id=program.public_id)


PAIRS_PER_PAGE = 50


def _run_context(request: HttpRequest, run) -> dict:
    """The run, one page of its pairs, and (``?swap=<pair>``) the form to swap one pair's
    mentor with another pair's: the full list of pairs is offered only there, once."""
    pairs = selectors.run_pairs(viewer=request.user, run=run)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    draft = run.status == MatchRun.Status.DRAFT
    swapping = None
    if draft and request.GET.get("swap"):
        with contextlib.suppress(ValueError):
            swapping = pairs.filter(public_id=uuid.UUID(request.GET["swap"])).first()
    return {
        "run": run,
        "program": run.program,
        "pairs": page.object_list,
        "page": page,
        "draft": draft,
        "swapping": swapping,
        "swap_with": pairs.exclude(pk=swapping.pk) if swapping else [],
        "add_form": forms.PairForm(
            mentees=selectors.unpaired_mentees(viewer=request.user, run=run),
            mentors=selectors.participants(program=run.program, role="mentor"),
        ),
    }


@_guarded
def run_detail(request: HttpRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    return render(request, "matching/run.html", _run_context(request, run))


@require_POST
@_guarded
def pair_remove(request: HttpRequest, pair_id) -> HttpResponse:
    pair = access_pair(request.user, pair_id)
    services.match_pair_remove(actor=request.user, pair=pair)
    if getattr(request, "htmx", False):  # the figures and the table, updated in place
        run = access_run(request.user, pair.run.public_id)
        return render(request, "matching/_run_body.html", _run_context(request, run))
    return _to("matching_run", run_id=pair.run.public_id)


@require_POST
@_guarded
def pair_swap(request: HttpRequest, pair_id) -> HttpResponse:
    pair = access_pair(request.user, pair_id)
    other = access_pair(request.user, request.POST.get("other", ""))
    services.match_pair_swap(actor=request.user, pair=pair, other=other)
    return _to("matching_run", run_id=pair.run.public_id)


@require_POST
@_guarded
def pair_add(request: HttpRequest, run_id) -> HttpResponse:
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


@require_POST
@_guarded
def run_publish(request: HttpRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    created = services.match_run_publish(actor=request.user, run=run)
    messages.success(request, f"Published: {len(created)} proposed relationships.")
    return _to("matching_run", run_id=run.public_id)


@require_POST
@_guarded
def run_discard(request: HttpRequest, run_id) -> HttpResponse:
    run = access_run(request.user, run_id)
    services.match_run_discard(actor=request.user, run=run)
    return _to("matching_runs", program_id=run.program.public_id)


# --- mentees: suggestions and requests; mentors: answering ---------------------------------------


@_guarded
def suggestions(request: HttpRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentee")
    current = selectors.my_open_relationship(viewer=request.user, program=program)
    return render(
        request,
        "matching/suggestions.html",
        {
            "program": program,
            "current": current,
            "why": selectors.explanation_for(viewer=request.user, relationship=current)
            if current
            else [],
            "suggestions": []
            if current
            else selectors.suggestions_for(viewer=request.user, program=program),
        },
    )


@require_POST
@_guarded
def request_mentor(request: HttpRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentee")
    # Only this program's mentors can be named: anyone else is the same 404 as an unknown id.
    mentor = access_participant(program, request.POST.get("mentor", ""), roles=[MENTOR])
    services.match_request(actor=request.user, program=program, mentor=mentor)
    messages.success(request, "Request sent. The mentor will answer within the window.")
    return _to("matching_suggestions", program_id=program.public_id)


@_guarded
def requests(request: HttpRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentor")
    return render(
        request,
        "matching/requests.html",
        {
            "program": program,
            "pending": selectors.pending_requests(viewer=request.user, program=program),
        },
    )


@require_POST
@_guarded
def request_decline(request: HttpRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship(request.user, relationship_id, write=True)
    if request.user.pk not in relationship.participant_ids():
        raise NotFound()
    relationship_decline(actor=request.user, relationship=relationship)
    messages.success(request, "Declined.")
    return _to("matching_requests", program_id=relationship.program.public_id)


@_guarded
def why(request: HttpRequest, relationship_id) -> HttpResponse:
    """Why two people were matched, for the two of them."""
    relationship = access_relationship(request.user, relationship_id)
    if request.user.pk not in relationship.participant_ids():
        raise NotFound()
    return render(
        request,
        "matching/why.html",
        {
            "relationship": relationship,
            "factors": selectors.explanation_for(viewer=request.user, relationship=relationship),
        },
    )


# --- admins: fairness ----------------------------------------------------------------------------


@_guarded
def fairness_page(request: HttpRequest, program_id) -> HttpResponse:
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
