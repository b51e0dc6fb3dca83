"""Survey pages: a program's surveys, answering one (its mode stated first), and for those who
run the program: publishing one, its results (aggregates only) and closing it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.community import survey_selectors as selectors
from mentorhaven.community.access import access_event_program, access_survey, runs_program
from mentorhaven.community.models import Survey
from mentorhaven.community.services import survey_close, survey_create, survey_respond
from mentorhaven.kernel.errors import ValidationFailed


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode (told to everyone before they answer)"),
        choices=[
            (Survey.Mode.ANONYMOUS, gettext_lazy("Anonymous: nothing links an answer to a person")),
            (
                Survey.Mode.CONFIDENTIAL,
                gettext_lazy("Confidential: linked, shown to admins only in aggregates"),
            ),
        ],
    )
    intro = forms.CharField(
        label=gettext_lazy("Introduction"), required=False, max_length=2000, widget=forms.Textarea
    )
    questions = forms.CharField(
        label=gettext_lazy(
            "Questions, one per line: 'scale: prompt', 'text: prompt' or "
            "'choice: prompt | option | option'"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
    )

    def parsed_questions(self) -> list[dict]:
        found = []
        for line in self.cleaned_data["questions"].splitlines():
            if not line.strip():
                continue
            kind, _sep, rest = line.partition(":")
            parts = [p.strip() for p in rest.split("|")]
            found.append({"kind": kind.strip().lower(), "prompt": parts[0], "options": parts[1:]})
        return found


@login_required
def survey_list(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_event_program(request.user, public_id=program_id)
    return render(
        request,
        "community/survey_list.html",
        {
            "program": program,
            "surveys": selectors.surveys_for(viewer=request.user, program=program),
            "can_run": runs_program(request.user, program),
        },
    )


@login_required
def survey_new(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_event_program(request.user, public_id=program_id, write=True)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(
                actor=request.user,
                program=program,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                mode=form.cleaned_data["mode"],
                questions=form.parsed_questions(),
            )
            messages.success(request, _("The survey is published."))
            return redirect("surveys:respond", survey_id=survey.public_id)
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "community/survey_new.html", {"program": program, "form": form}, status=status
    )


@login_required
def survey_answer(request: SignedInRequest, survey_id) -> HttpResponse:
    survey = access_survey(request.user, survey_id)
    if request.method == "POST":
        answers = {
            key.removeprefix("q-"): value
            for key, value in request.POST.items()
            if key.startswith("q-")
        }
        survey_respond(actor=request.user, survey=survey, answers=answers)
        messages.success(request, _("Thank you: your answers are recorded."))
        return redirect("surveys:list", program_id=survey.program.public_id)
    return render(
        request,
        "community/survey_answer.html",
        {
            "survey": survey,
            "questions": survey.questions.all(),
            "answered": selectors.has_answered(viewer=request.user, survey=survey),
            "can_run": runs_program(request.user, survey.program),
        },
    )


@login_required
def survey_results(request: SignedInRequest, survey_id) -> HttpResponse:
    survey = access_survey(request.user, survey_id, write=True)
    results = selectors.survey_results(viewer=request.user, survey=survey)
    return render(request, "community/survey_results.html", {"survey": survey, "results": results})


@require_POST
@login_required
def survey_end(request: SignedInRequest, survey_id) -> HttpResponse:
    survey = access_survey(request.user, survey_id, write=True)
    survey_close(actor=request.user, survey=survey)
    messages.success(request, _("The survey is closed."))
    return redirect("surveys:results", survey_id=survey.public_id)
