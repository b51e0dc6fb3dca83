"""Issue 10's whole journey in Chromium, as one mentee lives it: she withdraws a consent, prepares
and downloads her export, asks to be erased, cancels, asks again; once the grace period is over
the scheduled job erases her, and her mentor's view of their relationship and conversation shows
"A former participant" where her name was, and none of her words."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from mentorhaven.accounts.models import User
from mentorhaven.consent.domain import Method, Purpose
from mentorhaven.consent.selectors import has_consent
from mentorhaven.consent.services import consent_give
from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.privacy.erasure.models import ErasureRequest
from mentorhaven.privacy.export import verify_archive
from mentorhaven.privacy.schedules import due_erasures
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HER_WORDS = "I have not told anyone else yet: I am applying for the Porto job."
CONSENT = "Engagement analytics"
UNDERSTOOD = "I understand that this cannot be undone once it has run."


@pytest.fixture
def queued_tasks(settings, tmp_path):
    """The database task queue, as deployed, and sealed blobs in a directory of this test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def mentored(personas):
    """Cara, mentored by Ana, wrote to her; she gave consent to engagement analytics."""
    p = personas
    proposed = relationship_propose(
        actor=p.coordinator, program=p.program, mentee=p.cara, mentor=p.ana
    )
    relationship_accept(actor=p.cara, relationship=proposed)
    relationship = relationship_accept(actor=p.ana, relationship=proposed)
    conversation = conversation_for_relationship(actor=p.cara, relationship=relationship)
    message_send(actor=p.cara, conversation=conversation, body=HER_WORDS)
    consent_give(actor=p.cara, purpose=Purpose.ANALYTICS, method=Method.PRIVACY_PAGE)
    return relationship, conversation


def _withdraw_consent(tab) -> None:
    tab.goto("/privacy/")
    tab.get_by_role("link", name="Your consents").click()
    card = tab.locator(f"[data-purpose={Purpose.ANALYTICS.value}]")
    expect(card.locator(".status")).to_contain_text("Given on")
    card.get_by_role("button", name=f"Withdraw: {CONSENT}").click()
    tab.wait_for_load_state("load")
    expect(tab.locator(f"[data-purpose={Purpose.ANALYTICS.value}] .status")).to_have_text(
        "Not given."
    )


def _download_export(tab, tmp_path) -> zipfile.ZipFile:
    tab.goto("/privacy/")
    tab.get_by_role("button", name="Prepare my export").click()
    status = tab.locator(".export .export-status").first
    expect(status).to_have_text("Waiting to start")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(status).to_have_text("Ready to download", timeout=20_000)
    with tab.expect_download() as pending:
        tab.get_by_role("button", name="Download your export").click()
    saved = tmp_path / "export.zip"
    pending.value.save_as(saved)
    assert verify_archive(str(saved)).ok
    return zipfile.ZipFile(saved)


def _ask_for_erasure(tab) -> None:
    tab.get_by_label(UNDERSTOOD).check()
    tab.get_by_role("button", name="Erase my account").click()
    expect(tab.locator(".erasure-status")).to_contain_text("will be erased on")


def test_mentee_withdraws_exports_erases_cancels_erases_and_her_mentor_sees_a_former_participant(
    open_tab, personas, mentored, queued_tasks, tmp_path
):
    relationship, conversation = mentored
    cara, ana = personas.cara, personas.ana
    mentee = open_tab()
    sign_in(mentee, cara.email, PASSWORD)

    _withdraw_consent(mentee)
    assert not has_consent(cara, Purpose.ANALYTICS)

    with _download_export(mentee, tmp_path) as archive:
        messages = json.loads(archive.read("data/messages.json"))["records"]
        assert HER_WORDS in [m["text"] for m in messages]
        # The export already tells the withdrawal: her consent history has both choices.
        consents = json.loads(archive.read("data/consents.json"))["records"]
        choices = [c["given"] for c in consents if c["purpose"] == Purpose.ANALYTICS.value]
        assert choices == [True, False]

    mentee.goto("/privacy/")
    mentee.get_by_role("link", name="Erase my account").click()
    _ask_for_erasure(mentee)
    mentee.get_by_role("button", name="Cancel my erasure").click()
    expect(mentee.get_by_text("Your erasure was cancelled. Nothing was deleted.")).to_be_visible()
    assert not ErasureRequest.objects.filter(user=cara, status="pending").exists()
    _ask_for_erasure(mentee)
    assert csp_violations(mentee) == []

    # The grace period passes (its reminder was sent); the scheduler's job runs.
    ErasureRequest.objects.filter(user=cara, status="pending").update(
        due_at=timezone.now(), reminded_at=timezone.now()
    )
    assert due_erasures()["completed"] == 1
    erased = User.objects.get(pk=cara.pk)
    assert erased.is_erased and not erased.is_active

    mentor = open_tab()
    sign_in(mentor, ana.email, PASSWORD, personas.totp_secrets[ana.email])
    mentor.goto(f"/relationships/{relationship.public_id}/")
    figures = mentor.locator("dl.figures")
    expect(figures).to_contain_text("A former participant")
    expect(mentor.locator("main")).not_to_contain_text("Cara")
    mentor.goto(f"/messages/c/{conversation.public_id}/")
    main = mentor.locator("main")
    expect(main).to_contain_text("A former participant")
    expect(main).not_to_contain_text(HER_WORDS)
    expect(main).not_to_contain_text("Cara")
    assert csp_violations(mentor) == []

    # Her own browser is signed out: the next page asks her to sign in.
    mentee.goto("/privacy/")
    expect(mentee).to_have_url(re.compile(r"/accounts/login/"))
