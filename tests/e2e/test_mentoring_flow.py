"""Issue 4 in Chromium, from matching to a shared note, with three people in three browsers.

The coordinator runs matching for demo-2026 and publishes it; the mentee finds their mentor
and why they were matched, both accept the confidentiality agreement, the mentee proposes a
meeting and writes a shared note, the mentor reads it and takes the meeting, and the
coordinator's pages show counts for the relationship but never its text.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentorhaven.matching.services import question_create, questionnaire_submit
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Shared note: we agreed that I draft the migration plan by Friday."
AGENDA = "Agenda: walk through the migration plan draft."
SENSITIVE_LABEL = "Caring for a relative"  # a sensitive answer both gave: never an explanation


def _questionnaires(personas) -> None:
    """Answers that make the best assignment unambiguous with one seat per mentor:
    Cara and Ana share two topics, Dev and Ben the two others."""
    program, coordinator = personas.program, personas.coordinator
    topics = question_create(
        actor=coordinator,
        program=program,
        kind="multi",
        prompt="What would you like to work on?",
        options=[
            {"value": "leadership", "label": "leadership"},
            {"value": "career", "label": "career change"},
            {"value": "python", "label": "python"},
            {"value": "speaking", "label": "public speaking"},
        ],
    )
    situation = question_create(
        actor=coordinator,
        program=program,
        kind="single",
        prompt="Anything at home we should know about?",
        options=[{"value": "carer", "label": SENSITIVE_LABEL}, {"value": "none", "label": "No"}],
        sensitive=True,
        category="personal",
    )
    people = [
        (personas.cara, "mentee", ["leadership", "career"], "carer"),
        (personas.dev, "mentee", ["python", "speaking"], "none"),
        (personas.ana, "mentor", ["leadership", "career"], "carer"),
        (personas.ben, "mentor", ["python", "speaking"], "none"),
    ]
    for user, role, chosen, home in people:
        questionnaire_submit(
            actor=user,
            program=program,
            role=role,
            answers={topics: chosen, situation: home},
            sensitive_consent=True,
            capacity=1 if role == "mentor" else None,
        )


def _row_of(tab, table, name: str):
    """The table row with a cell holding exactly ``name``."""
    return table.get_by_role("row").filter(has=tab.get_by_role("cell", name=name, exact=True))


def _open_relationship(tab) -> None:
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    tab.get_by_role("link", name="Demo 2026").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Mentoring in Demo 2026")


def _accept_agreement(tab) -> None:
    tab.get_by_label("I have read the confidentiality agreement and accept it").check()
    tab.get_by_label("I agree to work on the goals of this relationship together").check()
    tab.get_by_role("button", name="Accept and start").click()
    expect(tab.locator("#agreement")).to_contain_text("You accepted on")


def test_coordinator_matches_mentee_and_mentor_share_a_note_coordinator_sees_only_counts(
    open_tab, browser_log, personas
):
    _questionnaires(personas)
    secrets = personas.totp_secrets

    # The coordinator runs matching, reviews the draft and publishes it.
    coordinator = open_tab()
    sign_in(coordinator, personas.coordinator.email, PASSWORD, secrets[personas.coordinator.email])
    expect(coordinator).to_have_url(re.compile(r"/dashboard/$"))
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Matching").click()
    coordinator.get_by_role("link", name="Demo 2026").click()
    coordinator.get_by_role("link", name="Match runs and exclusions").click()
    coordinator.get_by_role("button", name="Run matching").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Match run in Demo 2026")
    pairs = coordinator.get_by_role("table", name="Proposed pairs")
    cara_row = _row_of(coordinator, pairs, "Cara Mentee")
    expect(cara_row.get_by_role("cell").nth(1)).to_have_text("Ana Mentor")
    expect(cara_row).to_contain_text("both chose: career change, leadership")
    expect(_row_of(coordinator, pairs, "Dev Mentee").get_by_role("cell").nth(1)).to_have_text(
        "Ben Mentor"
    )
    expect(coordinator.locator("#run-body")).to_contain_text("Draft")
    assert csp_violations(coordinator) == []
    coordinator.get_by_role("link", name="Publish…").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Publish this match run?")
    coordinator.get_by_role("button", name="Publish: propose these relationships").click()
    expect(coordinator.get_by_text("Published: 2 proposed relationships.")).to_be_visible()
    expect(coordinator.get_by_role("button", name=re.compile("^Publish"))).to_have_count(0)

    # The mentee finds the proposal, the mentor and why they were matched, and accepts.
    mentee = open_tab()
    sign_in(mentee, personas.cara.email, PASSWORD)
    expect(mentee.locator("#mentee")).to_contain_text("1 proposed match waiting for an answer.")
    _open_relationship(mentee)
    expect(mentee.locator("dl.figures")).to_contain_text("Ana Mentor")
    expect(mentee.locator("dl.figures")).to_contain_text("Proposed")
    expect(mentee.get_by_text("Goals, meetings and notes open once you have both")).to_be_visible()
    mentee.get_by_role("link", name="Why you were matched").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Why you were matched")
    expect(mentee.locator("main")).to_contain_text("Cara Mentee and Ana Mentor")
    expect(mentee.locator("ul.factors")).to_contain_text("both chose: career change, leadership")
    expect(mentee.locator("main")).not_to_contain_text(SENSITIVE_LABEL)
    assert csp_violations(mentee) == []
    mentee.get_by_role("link", name="Back to the relationship").click()
    _accept_agreement(mentee)
    expect(mentee.locator("dl.figures")).to_contain_text("Proposed")

    # The mentor accepts too, in a browser of their own: the relationship starts.
    mentor = open_tab()
    sign_in(mentor, personas.ana.email, PASSWORD, secrets[personas.ana.email])
    _open_relationship(mentor)
    expect(mentor.locator("dl.figures")).to_contain_text("Cara Mentee")
    _accept_agreement(mentor)
    expect(mentor.locator("dl.figures")).to_contain_text("Active")

    # The mentee proposes a meeting and writes a shared note.
    mentee.reload()
    expect(mentee.locator("dl.figures")).to_contain_text("Active")
    first = timezone.localtime() + timedelta(days=3)
    first = first.replace(hour=10, minute=0, second=0, microsecond=0)
    meetings = mentee.locator("#meetings")
    meetings.get_by_label("First possible time").fill(first.strftime("%Y-%m-%dT%H:%M"))
    meetings.get_by_label("Second possible time (optional)").fill(
        (first + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    )
    meetings.get_by_label("Place or video link").fill("Room 4.12")
    meetings.get_by_label("Agenda (only the two of you can read it)").fill(AGENDA)
    meetings.get_by_role("button", name="Propose").click()
    expect(mentee.get_by_text("Meeting proposed.")).to_be_visible()
    expect(mentee.locator("#meetings")).to_contain_text("Waiting for an answer")
    notes = mentee.locator("#notes")
    notes.get_by_label("Note").fill(NOTE)
    notes.get_by_label("Share with the other participant").check()
    notes.get_by_role("button", name="Save note").click()
    written = mentee.locator("#notes article").filter(has_text=NOTE)
    expect(written).to_contain_text("shared")
    assert csp_violations(mentee) == []

    # The mentor reads the shared note and takes the first time offered.
    mentor.reload()
    shared = mentor.locator("#notes article").filter(has_text=NOTE)
    expect(shared).to_contain_text("Cara Mentee")
    expect(shared).to_contain_text("shared")
    mentor_meetings = mentor.locator("#meetings")
    expect(mentor_meetings).to_contain_text(AGENDA)
    mentor_meetings.get_by_role("radio").first.check()
    mentor_meetings.get_by_role("button", name="Accept").click()
    expect(mentor.locator("#meetings")).to_contain_text("Scheduled")
    assert csp_violations(mentor) == []

    # The coordinator sees the relationship's counts, never its text.
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    coordinator.get_by_role("link", name="Relationships and activity").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Relationships in Demo 2026")
    table = coordinator.get_by_role("table", name="Relationships and their activity")
    row = _row_of(coordinator, table, "Cara Mentee")
    # Mentor, mentee, status, goals (achieved), milestones (done), meetings, notes, actions.
    expect(row.get_by_role("cell")).to_have_text(
        ["Ana Mentor", "Cara Mentee", "Active", "0 (0)", "0 (0)", "1", "1", "Manage · End"]
    )
    expect(_row_of(coordinator, table, "Dev Mentee")).to_contain_text("Proposed")
    seen = [coordinator.content()]
    # The participants' page itself is not theirs: the same answer as for a missing one.
    response = coordinator.goto(mentee.url)
    assert response is not None and response.status == 404
    seen.append(coordinator.content())
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Matching").click()
    coordinator.get_by_role("link", name="Demo 2026").click()
    coordinator.get_by_role("link", name="Match runs and exclusions").click()
    coordinator.get_by_role("table", name="Runs").get_by_role("link").first.click()
    expect(coordinator.locator("#run-body")).to_contain_text("Published")
    seen.append(coordinator.content())
    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    seen.append(coordinator.content())
    for html in seen:
        assert NOTE not in html
        assert AGENDA not in html
        assert "Room 4.12" not in html

    assert browser_log.csp_messages() == []
    assert browser_log.page_errors == []
