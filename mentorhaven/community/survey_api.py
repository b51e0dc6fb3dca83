"""API for program surveys: members list and answer them; those who run the program publish
them and read their results (aggregates through the reporting layer, never an answer)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Field, Router, Schema, Status

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, body_doc, parse_body
from mentorhaven.community import survey_selectors as selectors
from mentorhaven.community.access import access_event_program, access_survey
from mentorhaven.community.services import survey_create, survey_respond

router = Router(tags=["surveys"])

ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 409: ErrorOut}


class QuestionIn(Schema):
    kind: str = Field(description="choice, scale (1 to 5) or text")
    prompt: str = Field(max_length=300)
    options: list[str] = Field(default_factory=list, max_length=12)


class SurveyIn(Schema):
    title: str = Field(max_length=200)
    intro: str = Field("", max_length=2000)
    mode: str = Field(description="anonymous or confidential")
    questions: list[QuestionIn] = Field(max_length=30)


class QuestionOut(Schema):
    id: UUID
    kind: str
    prompt: str
    options: list[str]


class SurveyOut(Schema):
    id: UUID
    title: str
    intro: str
    mode: str
    status: str
    answered: bool
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        description="Question id → option index (choice), 1 to 5 (scale) or text"
    )


class CellOut(Schema):
    label: str
    count: int | None = Field(description="Null when hidden")


class QuestionResultOut(Schema):
    question: UUID
    suppressed: bool
    cells: list[CellOut]
    total: int | None
    average: str | None = Field(description="A band such as 3.5-4.0, or null")
    written: int | None = Field(description="How many wrote an answer; the text is never shown")


class ResultsOut(Schema):
    k: int
    respondents: int | None
    questions: list[QuestionResultOut]


def _survey_out(survey, *, answered: bool) -> dict:
    return {
        "id": survey.public_id,
        "title": survey.title,
        "intro": survey.intro,
        "mode": survey.mode,
        "status": survey.status,
        "answered": answered,
        "questions": [
            {"id": q.public_id, "kind": q.kind, "prompt": q.prompt, "options": q.options}
            for q in survey.questions.all()
        ],
    }


@router.get("/programs/{slug}/surveys", response={200: list[SurveyOut], **ERRORS})
def survey_list(request, slug: str):
    program = access_event_program(request.auth, slug=slug)
    surveys = selectors.surveys_for(viewer=request.auth, program=program).prefetch_related(
        "questions"
    )
    return [_survey_out(s, answered=getattr(s, "answered", False)) for s in surveys]


@router.post(
    "/programs/{slug}/surveys",
    response={201: SurveyOut, **ERRORS},
    openapi_extra=body_doc(SurveyIn),
)
def survey_publish(request, slug: str):
    """Publish a survey (those who run the program). The mode is told to respondents first."""
    program = access_event_program(request.auth, slug=slug, write=True)
    payload = parse_body(request, SurveyIn)
    survey = survey_create(
        actor=request.auth,
        program=program,
        title=payload.title,
        intro=payload.intro,
        mode=payload.mode,
        questions=[q.dict() for q in payload.questions],
    )
    return Status(201, _survey_out(survey, answered=False))


@router.post(
    "/surveys/{uuid:survey_id}/responses",
    response={201: None, **ERRORS},
    openapi_extra=body_doc(AnswersIn),
)
def survey_answer(request, survey_id: UUID):
    """Answer a survey once; every question may be skipped."""
    survey = access_survey(request.auth, survey_id)
    payload = parse_body(request, AnswersIn)
    survey_respond(actor=request.auth, survey=survey, answers=payload.answers)
    return Status(201, None)


@router.get("/surveys/{uuid:survey_id}/results", response={200: ResultsOut, **ERRORS})
def survey_results(request, survey_id: UUID):
    """Results for those who run the program: k-anonymous counts, banded averages."""
    survey = access_survey(request.auth, survey_id, write=True)
    results = selectors.survey_results(viewer=request.auth, survey=survey)
    return {
        "k": results.k,
        "respondents": results.respondents,
        "questions": [
            {
                "question": r.question.public_id,
                "suppressed": bool(r.table and r.table.suppressed),
                "cells": [
                    {"label": label, "count": count}
                    for label, count in (r.table.cells.items() if r.table else [])
                ],
                "total": r.table.total if r.table else None,
                "average": str(r.average) if r.average else None,
                "written": r.written,
            }
            for r in results.questions
        ],
    }
