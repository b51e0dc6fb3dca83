"""Feedback after a meeting: a rating and an optional comment under the author's key; admins
see aggregates only over groups of at least the program's minimum size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.selectors import feedback_summary, program_figures
from mentorhaven.mentoring.services import feedback_give, meeting_accept, meeting_propose

from .conftest import last_event

pytestmark = pytest.mark.django_db

START = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
COMMENT = "My mentor kept checking the phone"


@pytest.fixture
def held(personas, pair):
    """A meeting that took place yesterday."""
    with time_machine.travel(START - timedelta(days=3), tick=False):
        meeting = meeting_propose(actor=personas.cara, relationship=pair, slots=[START])
        meeting_accept(actor=personas.ana, meeting=meeting, starts_at=START)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        yield meeting


def test_feedback_is_audited_and_its_comment_encrypted(personas, held):
    feedback = feedback_give(actor=personas.cara, meeting=held, rating=4, comment=COMMENT)
    event = last_event("feedback.give")
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.extra == {}  # the rating is not in the audit log
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM mentoring_feedback WHERE id = %s", [feedback.pk])
        assert COMMENT.encode() not in bytes(cursor.fetchone()[0])


def test_feedback_rules(personas, pair, held):
    with pytest.raises(ValidationFailed):
        feedback_give(actor=personas.cara, meeting=held, rating=6)
    with pytest.raises(PermissionDenied):
        feedback_give(actor=personas.ben, meeting=held, rating=3)
    feedback_give(actor=personas.cara, meeting=held, rating=3)
    with pytest.raises(Conflict):
        feedback_give(actor=personas.cara, meeting=held, rating=3)
    upcoming = meeting_propose(
        actor=personas.ana, relationship=pair, slots=[START + timedelta(days=5)]
    )
    with pytest.raises(Conflict):
        feedback_give(actor=personas.cara, meeting=upcoming, rating=5)


def test_small_groups_are_suppressed_for_admins(personas, held):
    feedback_give(actor=personas.cara, meeting=held, rating=2, comment=COMMENT)
    feedback_give(actor=personas.ana, meeting=held, rating=4)
    summary = program_figures(viewer=personas.coordinator, program=personas.program).feedback
    assert summary.suppressed and summary.mean_rating is None and summary.responses is None
    assert summary.min_group_size == 10


def test_a_program_setting_cannot_show_feedback_of_fewer_than_five(personas, held):
    personas.program.settings = {"min_group_size": 2}
    personas.program.save()
    feedback_give(actor=personas.cara, meeting=held, rating=2, comment=COMMENT)
    feedback_give(actor=personas.ana, meeting=held, rating=4)
    summary = feedback_summary(program=personas.program)
    assert summary.suppressed and summary.min_group_size == 5
    assert COMMENT not in repr(summary)
