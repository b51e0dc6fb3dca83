"""Goals belong to the mentee; the mentor reads them while the relationship is active; admins
see counts and rates, never text."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.mentoring.access import access_goal, access_relationship_content
from mentorhaven.mentoring.models import Goal
from mentorhaven.mentoring.selectors import goals_for, program_figures
from mentorhaven.mentoring.services import (
    goal_create,
    goal_progress_add,
    goal_update,
    milestone_add,
    milestone_set_done,
    relationship_end,
)

from .conftest import last_event, make_active, reads_about

pytestmark = pytest.mark.django_db

SECRET = "Ask for the team-lead role before my burnout leave ends"


@pytest.fixture
def goal(personas, pair):
    return goal_create(actor=personas.cara, relationship=pair, title="Lead", description=SECRET)


def test_mentee_creates_a_goal_and_the_event_is_audited(personas, pair, goal):
    event = last_event("goal.create")
    assert event.subject == audit.pseudonym(personas.cara)
    assert event.actor == audit.pseudonym(personas.cara)
    assert event.target_id == audit.target_pseudonym(personas.cara, goal)
    assert SECRET not in str(event.extra) and SECRET not in event.purpose


def test_goal_description_is_ciphertext_at_rest(goal):
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM mentoring_goal WHERE id = %s", [goal.pk])
        stored = bytes(cursor.fetchone()[0])
    assert SECRET.encode() not in stored
    assert Goal.objects.get(pk=goal.pk).description == SECRET


def test_mentor_may_not_create_goals(personas, pair):
    with pytest.raises(PermissionDenied):
        goal_create(actor=personas.ana, relationship=pair, title="Mine")


def test_mentor_reads_goals_and_the_read_is_recorded_for_the_mentee(personas, pair, goal):
    assert reads_about(personas.cara) == []
    goals = goals_for(viewer=personas.ana, relationship=pair)
    assert [g.description for g in goals] == [SECRET]
    [event] = reads_about(personas.cara, viewer=personas.ana)
    assert event.category == "personal"
    assert event.actor_role == "mentor"


def test_mentee_reading_own_goals_records_nothing(personas, pair, goal):
    goals_for(viewer=personas.cara, relationship=pair)
    assert reads_about(personas.cara) == []


def test_another_mentor_cannot_reach_the_goal(personas, pair, other_pair, goal):
    for viewer in (personas.ben, personas.dev, personas.outsider, personas.coordinator):
        with pytest.raises(NotFound):
            access_goal(viewer, goal.public_id)
        with pytest.raises(NotFound):
            access_relationship_content(viewer, pair.public_id)


def test_mentor_loses_goals_when_the_relationship_ends(personas, pair, goal):
    assert access_goal(personas.ana, goal.public_id) == goal
    relationship_end(actor=personas.cara, relationship=pair, reason="not_a_fit")
    with pytest.raises(NotFound):
        access_goal(personas.ana, goal.public_id)
    # The mentee keeps their own goals, read-only.
    assert access_goal(personas.cara, goal.public_id) == goal
    with pytest.raises(PermissionDenied):
        access_goal(personas.cara, goal.public_id, write=True)


def test_progress_milestones_and_status_are_audited(personas, pair, goal):
    update = goal_progress_add(actor=personas.cara, goal=goal, body="Talked to my manager")
    assert last_event("goal.progress").target_id == audit.target_pseudonym(personas.cara, goal)
    milestone = milestone_add(actor=personas.cara, goal=goal, title="Ask", due_on=date(2027, 1, 5))
    assert last_event("milestone.create").target_id == audit.target_pseudonym(
        personas.cara, milestone
    )
    milestone_set_done(actor=personas.cara, milestone=milestone, done=True)
    assert last_event("milestone.done").subject == audit.pseudonym(personas.cara)
    goal_update(actor=personas.cara, goal=goal, status="done")
    assert last_event("goal.update").extra == {"status": "done"}
    with pytest.raises(PermissionDenied):
        goal_progress_add(actor=personas.ana, goal=goal, body="mentor writes")
    assert goals_for(viewer=personas.ana, relationship=pair)[0].updates.get() == update


def test_program_admin_gets_counts_and_rates_but_no_text(personas, pair, goal):
    milestone = milestone_add(actor=personas.cara, goal=goal, title="Step")
    milestone_set_done(actor=personas.cara, milestone=milestone, done=True)
    goal_create(actor=personas.cara, relationship=pair, title="Second", description="x")
    goal_update(actor=personas.cara, goal=goal, status="done")
    figures = program_figures(viewer=personas.coordinator, program=personas.program)
    [row] = figures.relationships
    assert (row.goals, row.goals_done, row.milestones, row.milestones_done) == (2, 1, 1, 1)
    assert figures.completion_rate == 0.5
    assert SECRET not in repr(figures)
    # Counting is not reading: nothing appears on the mentee's access page.
    assert reads_about(personas.cara) == []


def test_program_figures_query_count_does_not_grow_with_relationships(personas, pair):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            program_figures(viewer=personas.coordinator, program=personas.program)
        return len(ctx.captured_queries)

    goal_create(actor=personas.cara, relationship=pair, title="One")
    small = count()
    other = make_active(personas, personas.dev, personas.ben)
    goal_create(actor=personas.dev, relationship=other, title="Two")
    assert count() == small


def test_program_admin_counts_shared_notes_only(personas, pair):
    from mentorhaven.mentoring.services import note_create

    note_create(actor=personas.cara, relationship=pair, body="only mine", shared=False)
    note_create(actor=personas.ana, relationship=pair, body="mine too", shared=False)
    note_create(actor=personas.cara, relationship=pair, body="for us both", shared=True)
    figures = program_figures(viewer=personas.coordinator, program=personas.program)
    [row] = figures.relationships
    assert row.notes == 1
