"""Completion: ended with "goals met", each participant answers a short closing survey (admins
see only the program's aggregate), and the mentee has a printable completion summary."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.domain import rating_summary
from mentorhaven.mentoring.models import ClosingSurvey, Goal
from mentorhaven.mentoring.selectors import closing_survey_summary
from mentorhaven.mentoring.services import (
    closing_survey_give,
    goal_create,
    goal_update,
    relationship_end,
)

from .conftest import last_event, make_active

pytestmark = pytest.mark.django_db

COMMENT = "Ana helped me say no to the night shifts"


@pytest.fixture
def completed(personas, pair):
    done = goal_create(actor=personas.cara, relationship=pair, title="Say no to night shifts")
    goal_update(actor=personas.cara, goal=done, status=Goal.Status.DONE)
    goal_create(actor=personas.cara, relationship=pair, title="Find a new team")
    return relationship_end(actor=personas.cara, relationship=pair, reason="goals_met")


def test_each_participant_answers_once_and_the_comment_is_ciphertext(personas, completed):
    survey = closing_survey_give(
        actor=personas.cara, relationship=completed, rating=5, comment=COMMENT
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM mentoring_closingsurvey WHERE id = %s", [survey.pk])
        stored = bytes(cursor.fetchone()[0])
    assert COMMENT.encode() not in stored and b"night shifts" not in stored
    event = last_event("closing_survey.give")
    assert event.extra in ({}, None)  # neither the rating nor the comment on the record
    closing_survey_give(actor=personas.ana, relationship=completed, rating=4)
    with pytest.raises(Conflict):
        closing_survey_give(actor=personas.cara, relationship=completed, rating=1)


def test_survey_only_for_participants_of_a_completed_relationship(personas, pair, other_pair):
    with pytest.raises(Conflict):
        closing_survey_give(actor=personas.cara, relationship=pair, rating=5)
    relationship_end(actor=personas.cara, relationship=pair, reason="not_a_fit")
    with pytest.raises(Conflict):  # ended early: no survey
        closing_survey_give(actor=personas.cara, relationship=pair, rating=5)
    done = relationship_end(actor=personas.dev, relationship=other_pair, reason="goals_met")
    for stranger in (personas.cara, personas.coordinator, personas.outsider):
        with pytest.raises(PermissionDenied):
            closing_survey_give(actor=stranger, relationship=done, rating=5)
    with pytest.raises(ValidationFailed):
        closing_survey_give(actor=personas.dev, relationship=done, rating=9)


def test_admins_see_only_an_aggregate_over_a_large_enough_group(personas, completed, login):
    # A program may ask for 3, but no figure describes fewer than 5 people (the floor).
    personas.program.settings = {"min_group_size": 3}
    personas.program.save()
    closing_survey_give(actor=personas.cara, relationship=completed, rating=2, comment=COMMENT)
    closing_survey_give(actor=personas.ana, relationship=completed, rating=4)
    assert closing_survey_summary(program=personas.program).suppressed
    page = login(personas.coordinator).get(f"/relationships/program/{personas.program.public_id}/")
    text = page.content.decode()
    assert "Fewer than 5 responses: not shown" in text
    assert COMMENT not in text
    # a third answer from another pair is still under the floor
    other = make_active(personas, personas.dev, personas.ben)
    other = relationship_end(actor=personas.dev, relationship=other, reason="goals_met")
    closing_survey_give(actor=personas.dev, relationship=other, rating=3)
    summary = closing_survey_summary(program=personas.program)
    assert summary.suppressed and summary.min_group_size == 5
    text = login(personas.coordinator, Client()).get(
        f"/relationships/program/{personas.program.public_id}/"
    )
    assert COMMENT not in text.content.decode()
    # five answers lift it: a band of the mean, never one pair's rating
    shown = rating_summary([2, 4, 3, 5, 4], 1, min_group_size=3)
    assert not shown.suppressed and shown.responses == 5
    assert shown.mean_rating == "3.5-4.0"


def test_survey_through_the_page(personas, completed, login):
    client = login(personas.ana)
    page = client.get(f"/relationships/{completed.public_id}/").content.decode()
    assert f"/relationships/{completed.public_id}/survey/" in page
    response = client.post(
        f"/relationships/{completed.public_id}/survey/", {"rating": "4", "comment": ""}
    )
    assert response.status_code == 302
    assert ClosingSurvey.objects.filter(author=personas.ana, rating=4).exists()


def test_mentee_prints_her_completion_summary(personas, completed, login):
    response = login(personas.cara).get(f"/relationships/{completed.public_id}/certificate/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Demo 2026" in text and "Ana Mentor" in text
    assert "1 of 2" in text
    assert "Say no to night shifts" not in text  # counts only, no goal titles


def test_completion_summary_is_the_mentees_alone(personas, pair, login):
    url = f"/relationships/{pair.public_id}/certificate/"
    waiting = login(personas.cara).get(url)  # not completed yet: no summary, a word why
    assert waiting.status_code == 200
    assert "ready once the relationship is completed" in waiting.content.decode()
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met")
    for person in (personas.ana, personas.coordinator, personas.dev, personas.outsider):
        assert login(person, Client()).get(url).status_code == 404
