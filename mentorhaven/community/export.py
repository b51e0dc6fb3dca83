"""What a data export holds from the community app (privacy/export/registry.py): the events
the person registered for, and the events they wrote."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mentorhaven.community.models import (
    ConfidentialAnswer,
    Event,
    Registration,
    Survey,
    SurveyCompletion,
)
from mentorhaven.privacy.export.registry import Section, exclude, register


def registration_rows(context):
    found = Registration.objects.filter(user=context.user).select_related("event__program")
    for registration in found.order_by("registered_at", "pk"):
        event = registration.event
        yield {
            "event": event.public_id,
            "program": event.program.name,
            "event_starts": event.starts_at,
            "status": registration.status,
            "name_shown_to_attendees": registration.show_me,
            "registered": registration.registered_at,
            "moved_up_from_waitlist": registration.promoted_at,
            "cancelled": registration.cancelled_at,
            "checked_in": registration.checked_in_at,
        }


def event_rows(context):
    for event in Event.objects.filter(author=context.user).select_related("program").order_by("pk"):
        yield {
            "event": event.public_id,
            "program": event.program.name,
            "title": event.title,
            "description": event.description,
            "place": event.place,
            "link": event.link,
            "starts": event.starts_at,
            "ends": event.ends_at,
            "status": event.status,
        }


register(
    Section(
        key="event_registrations",
        title=_("Program events you registered for"),
        models=("community.Registration",),
        rows=registration_rows,
        source=_("Recorded when you registered for an event, or an admin checked you in"),
        order=62,
    )
)
register(
    Section(
        key="events_written",
        title=_("Program events you wrote"),
        models=("community.Event",),
        rows=event_rows,
        source=_("Written by you for a program you run"),
        order=63,
    )
)


def completion_rows(context):
    found = SurveyCompletion.objects.filter(user=context.user).select_related("survey__program")
    for completion in found.order_by("survey__created_at", "survey__pk"):
        survey = completion.survey
        yield {
            "survey": survey.public_id,
            "program": survey.program.name,
            "title": survey.title,
            "mode": survey.mode,
            "note": "anonymous answers are linked to nobody and cannot be included"
            if survey.is_anonymous
            else "your answers are in the confidential answers section",
        }


def confidential_rows(context):
    found = ConfidentialAnswer.objects.filter(respondent=context.user).select_related(
        "survey", "question"
    )
    for answer in found.order_by("survey__pk", "question__position"):
        question = answer.question
        yield {
            "survey": answer.survey.public_id,
            "question": question.prompt,
            "choice": question.options[answer.choice] if answer.choice is not None else None,
            "rating": answer.scale,
            "text": answer.text,
            "submitted": answer.submitted_at,
        }


def survey_rows(context):
    for survey in Survey.objects.filter(author=context.user).select_related("program"):
        yield {"survey": survey.public_id, "program": survey.program.name, "title": survey.title}


register(
    Section(
        key="surveys_answered",
        title=_("Surveys you answered"),
        models=("community.SurveyCompletion",),
        rows=completion_rows,
        order=64,
    )
)
register(
    Section(
        key="survey_answers",
        title=_("Your confidential survey answers"),
        models=("community.ConfidentialAnswer",),
        rows=confidential_rows,
        order=65,
    )
)
register(
    Section(
        key="surveys_published",
        title=_("Surveys you published"),
        models=("community.Survey",),
        rows=survey_rows,
        order=66,
    )
)
exclude(
    "community.PendingBallot",
    "anonymous answers waiting for their batch are linked to nobody, so they cannot be "
    "found for any person",
)
exclude(
    "community.AnonymousAnswer",
    "anonymous answers are linked to nobody, so they cannot be found for any person",
)
exclude(
    "community.SurveyQuestion",
    "the questions are written by the program's organizers; your confidential answers section "
    "names each question",
)
