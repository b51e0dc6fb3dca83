"""Issue 10 in Chromium: a mentee asks for her data export on the privacy page, watches it go
from waiting to ready while the task worker builds it, downloads it, and the ZIP she gets opens,
verifies and holds what she wrote to her mentor."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from mentorhaven.messaging.services import conversation_for_relationship, message_send
from mentorhaven.privacy.export import verify_archive
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HER_MESSAGE = "Could we talk about the Lisbon offer before Friday? I am unsure."


@pytest.fixture
def queued_tasks(settings, tmp_path):
    """The database task queue, as deployed: a request leaves its task waiting for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def conversation(personas):
    proposed = relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
    )
    relationship_accept(actor=personas.cara, relationship=proposed)
    relationship = relationship_accept(actor=personas.ana, relationship=proposed)
    conversation = conversation_for_relationship(actor=personas.cara, relationship=relationship)
    message_send(actor=personas.cara, conversation=conversation, body=HER_MESSAGE)
    message_send(actor=personas.ana, conversation=conversation, body="Yes, Thursday at 5?")
    return conversation


def test_mentee_requests_her_export_sees_it_progress_and_downloads_it(
    page, personas, conversation, queued_tasks, tmp_path
):
    sign_in(page, personas.cara.email, PASSWORD)
    page.goto("/privacy/")
    page.get_by_role("button", name="Prepare my export").click()
    status = page.locator(".export .export-status").first
    expect(status).to_have_text("Waiting to start")
    expect(page.locator(".export progress").first).to_be_visible()

    # The worker picks the task up, as `mentorhaven run` does beside the server; the page,
    # polling, shows the result without a reload.
    page.evaluate("window.__samePage = true")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(status).to_have_text("Ready to download", timeout=20_000)
    assert page.evaluate("window.__samePage") is True

    with page.expect_download() as pending:
        page.get_by_role("button", name="Download your export").click()
    download = pending.value
    assert download.suggested_filename.startswith("mentorhaven-export-")
    saved = tmp_path / "export.zip"
    download.save_as(saved)

    assert verify_archive(str(saved)).ok
    with zipfile.ZipFile(saved) as archive:
        messages = json.loads(archive.read("data/messages.json"))["records"]
        assert HER_MESSAGE in [m["text"] for m in messages]
        assert "Everything MentorHaven keeps about you" in archive.read("index.html").decode()
    assert csp_violations(page) == []
