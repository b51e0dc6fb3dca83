"""The coordinator's console: the pipeline with names only, unmatched mentees and why, mentors'
seats, overdue requests, filters, and a CSV export that no spreadsheet runs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentorhaven.matching.pipeline import Stage, Why, csv_cell, stage_of, why_unmatched
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import note_create, relationship_propose
from mentorhaven.programs.services import invitation_create
from tests.mentoring.conftest import make_active

from .conftest import add_participant, events, fill

pytestmark = pytest.mark.django_db

SECRET_GOAL = "Qconsole-secret-goal"
SECRET_NOTE = "Qconsole-secret-note"


@pytest.fixture
def running(personas, questionnaire):
    """Cara is mentored by Ana (active, with a note); Dev answered the questionnaire but has no
    mentor; Eve joined but did not answer; Fay waits for Ben's answer, overdue; someone is
    invited; Ana has two seats, Ben one."""
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["career"], capacity=2)
    fill(p.ben, p.program, "mentor", q, topics=["career"], capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["career"], goals=SECRET_GOAL)
    fill(p.dev, p.program, "mentee", q, topics=["career"])
    relationship = make_active(p, p.cara, p.ana)
    note_create(actor=p.cara, relationship=relationship, body=SECRET_NOTE, shared=True)
    p.eve = add_participant(p, "eve@demo.test", "mentee")
    p.fay = add_participant(p, "fay@demo.test", "mentee")
    fill(p.fay, p.program, "mentee", q, topics=["career"])
    relationship_propose(
        actor=p.coordinator,
        program=p.program,
        mentee=p.fay,
        mentor=p.ben,
        respond_by=timezone.now() - timedelta(days=2),
    )
    invitation_create(
        actor=p.coordinator,
        organization=p.org,
        program=p.program,
        program_role="mentee",
        email="gil@demo.test",
        display_name="Gil Invited",
    )
    return p


def _url(name, program, **extra):
    return reverse(name, kwargs={"program_id": program.public_id, **extra})


def test_the_pipeline_names_everyone_at_their_stage_and_never_content(running, client, login):
    p = running
    login(p.coordinator)
    page = client.get(_url("matching_console", p.program))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Gil Invited", "Cara Mentee", "Dev Mentee", "Ana Mentor", "Ben Mentor"):
        assert text in html
    assert SECRET_GOAL not in html and SECRET_NOTE not in html
    for label in ("Invited", "Joined", "Questionnaire done", "Matched", "Active", "Completed"):
        assert label in html
    # Dev waits, Eve has not answered: both listed with why; Fay's proposal is overdue.
    assert "has not answered the questionnaire yet" in html
    assert "waiting for the next match run" in html
    assert "1 overdue request" in html
    assert "Mentors: 1 free seat" in html  # Ana 2 - 1; Ben 1 - 1


def test_filters_narrow_the_list_and_a_bad_filter_is_a_clear_400(running, client, login):
    p = running
    login(p.coordinator)
    url = _url("matching_console", p.program)
    html = client.get(url, {"stage": "active"}).content.decode()
    people = html.split('id="people-h"')[1]
    assert "Cara Mentee" in people and "Ana Mentor" in people and "Dev Mentee" not in people
    html = client.get(url, {"unmatched": "on"}).content.decode().split('id="people-h"')[1]
    assert "Dev Mentee" in html and "Cara Mentee" not in html
    bad = client.get(url, {"stage": "nonsense"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert client.get(_url("matching_console_csv", p.program), {"role": "x"}).status_code == 400


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_export_is_the_filtered_list_and_is_audited(running, client, login):
    p = running
    login(p.coordinator)
    response = client.get(_url("matching_console_csv", p.program), {"role": "mentor"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["Name", "Role", "Stage", "Note"]
    assert {r[0] for r in rows[1:]} == {"Ana Mentor", "Ben Mentor"}
    assert ["Ana Mentor", "Mentor", "Active", "1 of 2 seats free"] in rows
    [event] = events("matching.console_export")
    assert event.extra == {"rows": 2}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_the_csv_neutralises_cells_a_spreadsheet_would_run(running, client, login, name):
    p = running
    p.eve.display_name = name
    p.eve.save(update_fields=["display_name"])
    login(p.coordinator)
    rows = _csv(client.get(_url("matching_console_csv", p.program)))
    names = [r[0] for r in rows[1:]]
    assert "'" + name in names and name not in names


def test_csv_cell():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("\t=x") == "'\t=x"
    assert csv_cell("Ana") == "Ana" and csv_cell(None) == "" and csv_cell(3) == "3"


@pytest.mark.parametrize("who", ["ana", "cara", "auditor", "outsider"])
def test_the_console_is_hidden_from_everyone_but_the_programs_admins(running, client, login, who):
    login(getattr(running, who))
    assert client.get(_url("matching_console", running.program)).status_code == 404
    assert client.get(_url("matching_console_csv", running.program)).status_code == 404


def _console_queries(client, program) -> int:
    client.get(_url("matching_console", program))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url("matching_console", program)).status_code == 200
    return len(queries.captured_queries)


def _grow(p, start: int, count: int) -> None:
    for i in range(start, start + count):
        mentee = add_participant(p, f"mentee{i}@demo.test", "mentee")
        mentor = add_participant(p, f"mentor{i}@demo.test", "mentor")
        Relationship.objects.create(
            program=p.program, mentee=mentee, mentor=mentor, status="proposed"
        )


def test_the_console_costs_the_same_queries_for_a_small_and_a_large_program(running, client, login):
    p = running
    login(p.coordinator)
    _grow(p, 0, 3)
    small = _console_queries(client, p.program)
    _grow(p, 3, 120)
    assert _console_queries(client, p.program) <= small


def test_stages_and_reasons_as_rules():
    assert stage_of(has_profile=False, statuses=[]) == Stage.JOINED
    assert stage_of(has_profile=True, statuses=["declined"]) == Stage.QUESTIONNAIRE
    assert stage_of(has_profile=True, statuses=["completed", "active"]) == Stage.ACTIVE
    assert stage_of(has_profile=True, statuses=["completed"]) == Stage.COMPLETED
    assert stage_of(has_profile=True, statuses=["proposed"]) == Stage.MATCHED
    waiting = {"stage": Stage.QUESTIONNAIRE, "matchable": True, "last_closed": None}
    assert why_unmatched(**waiting, free_seats=1) == Why.WAITING
    assert why_unmatched(**waiting, free_seats=0) == Why.NO_FREE_SEAT
    assert why_unmatched(**{**waiting, "last_closed": "declined"}, free_seats=1) == Why.DECLINED
    assert why_unmatched(**{**waiting, "matchable": False}, free_seats=1) == Why.UNAVAILABLE
    assert why_unmatched(stage=Stage.ACTIVE, matchable=True, last_closed=None, free_seats=0) is None
