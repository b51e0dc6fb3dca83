"""In Chromium: a mentee who gave sensitive answers opens her privacy page, finds her consents,
withdraws consent to matching with sensitive answers in one click — and the answers are gone,
from the database and from her questionnaire, while the history keeps both choices."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.selectors import has_consent
from mentorhaven.matching.models import Answer
from mentorhaven.matching.services import question_create, questionnaire_submit
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENSITIVE = "Caring for a relative"


def test_mentee_withdraws_consent_and_her_sensitive_answers_are_gone(personas, page):
    p = personas
    topics = question_create(
        actor=p.coordinator,
        program=p.program,
        kind="multi",
        prompt="What would you like to work on?",
        options=["leadership", "python"],
    )
    home = question_create(
        actor=p.coordinator,
        program=p.program,
        kind="single",
        prompt="Anything at home we should know about?",
        options=[{"value": "carer", "label": SENSITIVE}, {"value": "none", "label": "No"}],
        sensitive=True,
        category="personal",
    )
    questionnaire_submit(
        actor=p.cara,
        program=p.program,
        role="mentee",
        answers={topics: ["leadership"], home: "carer"},
        sensitive_consent=True,
    )
    assert Answer.objects.filter(user=p.cara, question=home).exists()

    sign_in(page, p.cara.email, PASSWORD)
    page.goto("/privacy/")
    page.get_by_role("link", name="Your consents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consents")
    card = page.locator("[data-purpose=matching_sensitive]")
    expect(card.locator(".status")).to_contain_text("Given on")
    card.get_by_role("button", name="Withdraw: Matching with sensitive answers").click()
    page.wait_for_load_state("load")

    expect(page.get_by_role("status")).to_contain_text("withdrawn")
    card = page.locator("[data-purpose=matching_sensitive]")
    expect(card.locator(".status")).to_have_text("Not given.")
    history = page.get_by_role("table")
    expect(history.get_by_role("cell", name="Withdrawn", exact=True)).to_have_count(1)
    expect(history.get_by_role("cell", name="Given", exact=True)).to_have_count(1)

    assert not has_consent(p.cara, Purpose.MATCHING_SENSITIVE)
    assert not Answer.objects.filter(user=p.cara, question=home).exists()
    assert Answer.objects.filter(user=p.cara, question=topics).exists()

    page.goto(f"/matching/programs/{p.program.public_id}/questionnaire/mentee/")
    sensitive_select = page.get_by_label("Anything at home we should know about?", exact=False)
    expect(sensitive_select.first).to_have_value("")
    expect(page.get_by_role("checkbox", name="I agree that MentorHaven stores")).not_to_be_checked()
    assert csp_violations(page) == []
