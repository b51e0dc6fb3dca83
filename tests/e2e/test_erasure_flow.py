"""Erasure in Chromium: the mentee asks to be erased, sees the date, cancels, asks again; the
scheduled job runs once the grace period is over; her mentor then sees "A former participant"
where her name was, and her message as a tombstone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentorhaven.mentoring import services as mentoring
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.privacy.erasure.models import ErasureRequest
from mentorhaven.privacy.erasure.services import process_due_erasures
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Something only my mentor may read: I am thinking of leaving my job."


def test_mentee_requests_cancels_requests_again_and_mentor_sees_a_former_participant(
    open_tab, personas
):
    cara, ana = personas.cara, personas.ana
    relationship = mentoring.relationship_propose(
        actor=personas.coordinator, program=personas.program, mentee=cara, mentor=ana
    )
    mentoring.relationship_accept(actor=cara, relationship=relationship)
    relationship = mentoring.relationship_accept(actor=ana, relationship=relationship)
    conversation = conversation_for_relationship(actor=cara, relationship=relationship)
    message_send(actor=cara, conversation=conversation, body=SECRET)

    mentee = open_tab()
    sign_in(mentee, cara.email, PASSWORD)
    mentee.goto("/privacy/")
    mentee.get_by_role("link", name="Erase my account").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Erase my account")
    mentee.get_by_label("I understand that this cannot be undone once it has run.").check()
    mentee.get_by_role("button", name="Erase my account").click()
    due = timezone.localtime() + timedelta(days=14)
    status = mentee.locator(".erasure-status")
    expect(status).to_contain_text(f"will be erased on {due.day} {due:%B %Y}")
    assert csp_violations(mentee) == []

    mentee.get_by_role("button", name="Cancel my erasure").click()
    expect(mentee.get_by_text("Your erasure was cancelled. Nothing was deleted.")).to_be_visible()
    mentee.get_by_label("I understand that this cannot be undone once it has run.").check()
    mentee.get_by_role("button", name="Erase my account").click()
    expect(mentee.locator(".erasure-status")).to_contain_text("will be erased on")

    # The grace period passes (its reminder was sent); the scheduled job runs.
    ErasureRequest.objects.filter(user=cara, status="pending").update(
        due_at=timezone.now(), reminded_at=timezone.now()
    )
    assert process_due_erasures()["completed"] == 1

    mentor = open_tab()
    sign_in(mentor, ana.email, PASSWORD, personas.totp_secrets[ana.email])
    mentor.goto(f"/relationships/{relationship.public_id}/")
    figures = mentor.locator("dl.figures")
    expect(figures).to_contain_text("A former participant")
    expect(figures).not_to_contain_text("Cara")
    mentor.goto(f"/messages/c/{conversation.public_id}/")
    expect(mentor.locator("main")).to_contain_text("A former participant")
    expect(mentor.locator("main")).not_to_contain_text(SECRET)
    expect(mentor.locator("main")).not_to_contain_text("Cara")
    assert csp_violations(mentor) == []

    # Her session is over: the next page sends her to sign in.
    mentee.goto("/privacy/erasure")
    expect(mentee).to_have_url(re.compile(r"/accounts/login/"))
