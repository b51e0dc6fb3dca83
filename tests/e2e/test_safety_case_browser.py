"""A safety case in Chromium: a mentee reports a message from her mentor; the program's
coordinator sees that one message (not the rest of the conversation), triages the case, ends the
relationship and closes the case; the mentee sees the outcome in her notifications."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.models import Report
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in
from tests.e2e.test_chat_and_files import relationship as relationship  # the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIVATE = "I have been struggling since the move"
REPORTED = "Give me your phone number or I will tell your manager"


def test_a_mentee_reports_and_the_coordinator_ends_the_relationship(
    open_tab, personas, relationship
):
    chat = conversation_for_relationship(actor=personas.cara, relationship=relationship)
    message_send(actor=personas.cara, conversation=chat, body=PRIVATE)
    message_send(actor=personas.ana, conversation=chat, body=REPORTED)

    mentee = open_tab()
    sign_in(mentee, personas.cara.email, PASSWORD)
    mentee.goto(f"/messages/c/{chat.public_id}/")
    mentee.get_by_role("link", name="Report this message").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Report a message")
    mentee.get_by_label("What is wrong?").select_option("harassment")
    mentee.get_by_label("Anything the program admins should know").fill("He keeps pushing")
    mentee.get_by_role("button", name="Send report").click()
    expect(mentee.get_by_text("The program admins will look at this message.")).to_be_visible()

    coordinator = open_tab()
    who = personas.coordinator
    sign_in(coordinator, who.email, PASSWORD, personas.totp_secrets[who.email])
    coordinator.goto("/messages/reports/")
    coordinator.get_by_label("Status").select_option("open")
    coordinator.get_by_role("button", name="Show").click()
    coordinator.locator("#cases tbody tr").first.get_by_role("link").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Safety case")
    expect(coordinator.locator("#reported-message")).to_contain_text(REPORTED)
    expect(coordinator.locator("main")).to_contain_text("He keeps pushing")
    expect(coordinator.locator("main")).not_to_contain_text(PRIVATE)

    coordinator.get_by_role("button", name="Triage: take this case in hand").click()
    expect(coordinator.locator("#case-status")).to_have_text("Triaged")
    coordinator.get_by_role("button", name="End the relationship").click()
    expect(coordinator.locator("#case-status")).to_have_text("Actioned")
    expect(coordinator.locator("#case-log")).to_contain_text("Ended the relationship")
    coordinator.get_by_label("What the reporter is told").select_option("action_taken")
    coordinator.get_by_role("button", name="Close the case").click()
    expect(coordinator.locator("#case-status")).to_have_text("Closed")

    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ENDED_EARLY
    assert relationship.end_reason == Relationship.EndReason.SAFETY
    assert Report.objects.get().status == Report.Status.CLOSED

    mentee.goto("/messages/notifications/")
    expect(mentee.locator("main")).to_contain_text(
        "The program's team looked into your safety report and took action"
    )
    assert csp_violations(mentee) == [] and csp_violations(coordinator) == []
