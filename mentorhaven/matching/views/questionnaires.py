"""The questionnaire: the admin's editor and the participant's form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import NotFound
from mentorhaven.matching import forms, selectors, services
from mentorhaven.matching.access import (
    access_participation,
    access_program_admin,
    access_question,
)
from mentorhaven.matching.views._common import _to


@login_required
def questions(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program_admin(request.user, program_id)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.question_create(actor=request.user, program=program, **form.service_fields())
        messages.success(request, _("Question added."))
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


@login_required
def question_delete(request: SignedInRequest, question_id) -> HttpResponse:
    """GET asks first, naming how many answers go with the question; POST deletes."""
    question = access_question(request.user, question_id)
    program = question.program
    if request.method != "POST":
        return render(
            request,
            "matching/question_delete.html",
            {
                "question": question,
                "program": program,
                "answers": selectors.answer_count(question=question),
            },
        )
    services.question_delete(actor=request.user, question=question)
    messages.success(request, _("Question deleted, with its answers."))
    return _to("matching_questions", program_id=program.public_id)


@login_required
def questionnaire(request: SignedInRequest, program_id, role: str) -> HttpResponse:
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
            sensitive_consent=form.sensitive_consent(),
            headline=form.cleaned_data["headline"],
            goals=form.cleaned_data["goals"],
            capacity=form.cleaned_data.get("capacity"),
            paused=form.cleaned_data.get("paused"),
        )
        messages.success(request, _("Your answers are saved."))
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
