"""A new mentor in Chromium: accepts the program's confidentiality agreement before anything
else, finds the mentee's content closed until the security training is passed, passes the quiz,
then sees what the mentee wrote."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mentorhaven.gates import domain
from mentorhaven.gates.models import AgreementAcceptance, TrainingCompletion
from mentorhaven.gates.services import agreement_publish
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in, submit
from tests.gates.conftest import CANARY, new_mentor  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGREEMENT = "What my mentee tells me stays between us, unless someone is at risk of harm."


def test_new_mentor_accepts_the_agreement_passes_the_quiz_then_sees_the_mentee(
    page,
    personas,
    new_mentor,  # noqa: F811 (the fixture imported above)
):
    agreement_publish(actor=personas.org_admin, program=personas.program, text=AGREEMENT)
    nia = new_mentor.nia
    sign_in(page, nia.email, PASSWORD, new_mentor.totp)

    # Before anything else: the agreement, whatever page she asks for.
    expect(page).to_have_url(re.compile(r"/gates/agreement/"))
    page.goto("/relationships/")
    expect(page).to_have_url(re.compile(r"/gates/agreement/"))
    expect(page.locator("main")).to_contain_text(AGREEMENT)
    page.get_by_label(re.compile("I have read this confidentiality agreement")).check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    assert AgreementAcceptance.objects.filter(user=nia).count() == 1

    # The relationship page opens, but none of Cara's writing until the training is passed.
    detail = f"/relationships/{new_mentor.relationship.public_id}/"
    page.goto(detail)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(CANARY)

    page.goto("/gates/training/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor security training")
    for question in domain.QUIZ:
        page.locator(f"input[name={question.key}][value={question.correct}]").check()
    submit(page)
    expect(page.locator(".training-status")).to_contain_text("You passed the training")
    assert TrainingCompletion.objects.filter(user=nia).count() == 1

    page.goto(detail)
    expect(page.locator("main")).to_contain_text(CANARY)
    assert csp_violations(page) == []
