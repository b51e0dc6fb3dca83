"""A phone-sized screen (390 px wide) in Chromium: the navigation folds into a menu, and the
coordinator's wide tables scroll inside their own box, never the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mentorhaven.matching.services import match_run_create, question_create, questionnaire_submit
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in
from tests.matching.conftest import add_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sideways_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def busy_program(personas):
    """A questionnaire with long options, people with long names, and a draft run."""
    program, admin = personas.program, personas.coordinator
    topics = question_create(
        actor=admin,
        program=program,
        kind="multi",
        prompt="Which long-winded areas of professional development interest you most?",
        options=[f"an-unusually-long-option-without-spaces-number-{i}" for i in range(4)],
    )
    for i in range(6):
        role = "mentor" if i % 2 else "mentee"
        user = add_participant(personas, f"person{i}@demo.test", role)
        user.display_name = f"Maximiliana Bartholomew-Featherstonehaugh {i}"
        user.save(update_fields=["display_name"])
        questionnaire_submit(
            actor=user,
            program=program,
            role=role,
            answers={topics: [f"an-unusually-long-option-without-spaces-number-{i % 4}"]},
        )
    return match_run_create(actor=admin, program=program)


def test_navigation_folds_into_a_menu_and_tables_do_not_push_the_page(
    page, browser_log, personas, busy_program
):
    page.set_viewport_size(PHONE)
    coordinator = personas.coordinator
    sign_in(page, coordinator.email, PASSWORD, personas.totp_secrets[coordinator.email])
    program = personas.program.public_id
    paths = [
        reverse("matching_console", kwargs={"program_id": program}),
        reverse("matching_run", kwargs={"run_id": busy_program.public_id}),
        reverse("matching_questions", kwargs={"program_id": program}),
        reverse("matching_runs", kwargs={"program_id": program}),
        "/dashboard/",
    ]
    for path in paths:
        page.goto(path)
        nav = page.get_by_role("navigation", name="Main")
        menu = nav.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        expect(nav.get_by_role("link", name="Matching")).to_be_hidden()
        assert _sideways_overflow(page) <= 0, path
        for table in page.locator("main table").all():  # each in a box that scrolls
            assert table.evaluate("t => t.parentElement.classList.contains('table-wrap')"), path
        assert csp_violations(page) == [], path
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Matching").click()
    assert "/matching/" in page.url
    assert browser_log.page_errors == []


def test_the_full_navigation_shows_at_desktop_width(page, personas):
    sign_in(page, personas.cara.email, PASSWORD)
    page.goto("/dashboard/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Privacy")).to_be_visible()
