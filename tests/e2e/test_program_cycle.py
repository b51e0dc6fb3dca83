"""A whole program cycle in Chromium, from an empty database (issue 11's proof).

``mentorhaven org create`` makes the organization and invites its first admin; she signs up from
the e-mailed link, enrols an authenticator, creates a program and invites a mentor (who works
from Berlin) and a mentee (from New York). Both sign up from their own browsers, answer the
questionnaire, and the admin runs matching and publishes it; both find the match among their
notifications and accept. The mentee sets a goal and shares a note; the mentor proposes 17:30
on his Berlin clock and the mentee sees the same instant on hers, named; the mentee ends the
relationship, and from that moment the mentor's requests for her goals and notes answer 404.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from mentorhaven.accounts.models import User
from mentorhaven.gates import domain as gates
from mentorhaven.matching.services import question_create
from mentorhaven.mentoring.models import Meeting, Relationship
from mentorhaven.programs.models import Organization, Program
from tests.e2e.conftest import csp_violations, enrol_authenticator, submit
from tests.e2e.test_mentoring_flow import _accept_agreement
from tests.e2e.test_time_zones import (  # noqa: F401 (the fixture)
    BERLIN,
    NEW_YORK,
    _a_winter_or_summer_evening,
    tab_in_zone,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and private passphrase 12"
LINK = re.compile(r"/accounts/invitation/[A-Za-z0-9_\-]+/")
GOAL = "Lead the spring release"
NOTE = "Shared: I will draft the release plan first."


def _link_for(email: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [email] and LINK.search(m.body)]
    return LINK.search(message.body).group(0)


def _sign_up(tab, email: str, name: str) -> None:
    """Open the invitation link from the e-mail and create the account."""
    tab.goto(_link_for(email))
    expect(tab).to_have_url(re.compile(r"/accounts/signup/$"))
    tab.get_by_label("Your name as others will see it").fill(name)
    tab.locator("input[name=password1]").fill(PASSWORD)
    tab.locator("input[name=password2]").fill(PASSWORD)
    tab.get_by_role("button", name="Create account").click()
    expect(tab).not_to_have_url(re.compile(r"/accounts/signup/"))


def _invite(tab, organization, email: str, role: str) -> None:
    tab.goto(f"/programs/o/{organization.public_id}/invitations/")
    tab.get_by_label("E-mail address").fill(email)
    tab.get_by_label("Role").select_option(role)
    tab.get_by_label("Program").select_option("spring-2027")
    submit(tab)
    expect(tab.locator("main")).to_contain_text(f"Invitation sent to {email}.")


def _answer(tab, program, role: str) -> None:
    tab.goto(f"/matching/programs/{program.public_id}/questionnaire/{role}/")
    tab.get_by_label("leadership").check()
    if role == "mentor":
        tab.get_by_label("How many mentees you can take at once").fill("1")
    submit(tab)
    expect(tab.locator("main")).to_contain_text("Your answers are saved.")


def test_a_program_runs_its_whole_cycle_from_an_empty_database(tab_in_zone, browser_log):  # noqa: F811
    assert not Organization.objects.exists() and not User.objects.exists()
    call_command(
        "org", "create", "Acme Mentoring", "--admin", "boss@acme.test", stdout=io.StringIO()
    )
    organization = Organization.objects.get()

    # The first admin: sign-up from the e-mail, a second factor, a program, two invitations.
    admin = tab_in_zone("Europe/Berlin")
    _sign_up(admin, "boss@acme.test", "Bo Boss")
    enrol_authenticator(admin, PASSWORD)
    admin.goto("/dashboard/")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Program set-up").click()
    admin.fill("input[name=name]", "Spring 2027")
    admin.fill("input[name=slug]", "spring-2027")
    submit(admin)
    program = Program.objects.get(slug="spring-2027")
    expect(admin).to_have_url(re.compile(rf"/programs/{program.public_id}/edit/$"))
    boss = User.objects.get(email="boss@acme.test")
    question_create(
        actor=boss,
        program=program,
        kind="multi",
        prompt="What would you like to work on?",
        options=[
            {"value": "leadership", "label": "leadership"},
            {"value": "python", "label": "python"},
        ],
    )
    _invite(admin, organization, "max@acme.test", "mentor")
    _invite(admin, organization, "nora@acme.test", "mentee")

    # Max mentors from Berlin, Nora is mentored from New York: each signs up in their browser.
    mentor = tab_in_zone("Europe/Berlin")
    _sign_up(mentor, "max@acme.test", "Max Mentor")
    enrol_authenticator(mentor, PASSWORD)
    mentor.goto("/gates/training/")  # a mentor reads nothing of a mentee before the training
    for question in gates.QUIZ:
        mentor.locator(f"input[name={question.key}][value={question.correct}]").check()
    submit(mentor)
    expect(mentor.locator(".training-status")).to_contain_text("You passed the training")
    mentee = tab_in_zone("America/New_York")
    _sign_up(mentee, "nora@acme.test", "Nora Mentee")
    assert User.objects.get(email="nora@acme.test").time_zone == "America/New_York"
    _answer(mentor, program, "mentor")
    _answer(mentee, program, "mentee")

    # The admin runs matching and publishes it.
    admin.goto(f"/matching/programs/{program.public_id}/runs/")
    admin.get_by_role("button", name="Run matching").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Match run in Spring 2027")
    admin.get_by_role("link", name="Publish…").click()
    admin.get_by_role("button", name="Publish: propose these relationships").click()
    expect(admin.get_by_text("Published: 1 proposed relationship.")).to_be_visible()
    relationship = Relationship.objects.get(program=program)
    page = f"/relationships/{relationship.public_id}/"

    # Both find the match among their notifications, open it and accept the agreement.
    for tab in (mentor, mentee):
        tab.goto("/messages/notifications/")
        expect(tab.locator("main")).to_contain_text("You have a new mentoring match")
        tab.goto(page)
        _accept_agreement(tab)
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ACTIVE

    # Nora sets a goal and shares a note; Max reads both.
    mentee.goto(page)
    mentee.locator("#goals").locator("input[name=title]").fill(GOAL)
    mentee.get_by_role("button", name="Add goal").click()
    expect(mentee.locator("#goals")).to_contain_text(GOAL)
    mentee.goto(page)
    notes = mentee.locator("#notes")
    notes.get_by_label("Note").fill(NOTE)
    notes.get_by_label("Share with the other participant").check()
    notes.get_by_role("button", name="Save note").click()
    expect(mentee.locator("#notes")).to_contain_text(NOTE)
    api = f"/api/v1/relationships/{relationship.public_id}"
    assert GOAL in mentor.request.get(f"{api}/goals").text()
    assert NOTE in mentor.request.get(f"{api}/notes").text()

    # Max proposes 17:30 on his Berlin clock; Nora sees the same instant on hers, zone named.
    wall = _a_winter_or_summer_evening()
    mentor.goto(page)
    meetings = mentor.locator("#meetings")
    expect(meetings).to_contain_text("Times are in your time zone, Europe/Berlin.")
    meetings.get_by_label("First possible time").fill(wall.strftime("%Y-%m-%dT%H:%M"))
    meetings.get_by_role("button", name="Propose").click()
    expect(mentor.locator("#meetings")).to_contain_text("17:30 (Europe/Berlin)")
    assert Meeting.objects.get(relationship=relationship).slot_times()[0] == wall
    in_new_york = wall.astimezone(NEW_YORK).strftime("%H:%M")
    assert wall.astimezone(BERLIN).strftime("%H:%M") == "17:30" != in_new_york
    mentee.goto(page)
    expect(mentee.locator("#meetings")).to_contain_text(f"{in_new_york} (America/New_York)")
    expect(mentee.locator("#meetings")).not_to_contain_text("17:30")

    # Nora ends the relationship; Max loses her goals and notes at once.
    mentee.goto(f"{page}end/")
    mentee.get_by_label("Someone is leaving the program").check()
    mentee.get_by_role("button", name="End the relationship").click()
    expect(mentee.get_by_text("The relationship has ended.")).to_be_visible()
    assert mentor.request.get(f"{api}/goals").status == 404
    assert mentor.request.get(f"{api}/notes").status == 404
    mentor.goto(page)
    expect(mentor.locator("main")).not_to_contain_text(GOAL)
    expect(mentor.locator("main")).not_to_contain_text(NOTE)
    mentor.goto("/messages/notifications/")
    expect(mentor.locator("main")).to_contain_text("Your mentoring relationship has ended")
    for tab in (admin, mentor, mentee):
        assert csp_violations(tab) == []
    assert browser_log.page_errors == []
