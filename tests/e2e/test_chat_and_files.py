"""Issue 5 in Chromium: a mentor and a mentee chat live in two browsers, then the mentee
uploads a file, shares it with a password, and a third, anonymous browser downloads it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESUME = "Cara Mentee\nRésumé, for a colleague of my mentor\nSkills: python, leadership\n".encode()
LINK_PASSWORD = "blue-heron-canal-7"


@pytest.fixture
def relationship(personas):
    """Cara and Ana, both having accepted the agreement: an active relationship."""
    proposed = relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
    )
    relationship_accept(actor=personas.cara, relationship=proposed)
    active = relationship_accept(actor=personas.ana, relationship=proposed)
    assert active.status == "active"
    return active


def _open_relationship(tab) -> None:
    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
    tab.get_by_role("link", name="Demo 2026").click()
    expect(tab.locator("dl.figures")).to_contain_text("Active")


def _open_conversation(tab, other: str) -> None:
    _open_relationship(tab)
    tab.get_by_role("navigation", name="This relationship").get_by_role(
        "link", name="Messages"
    ).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(f"Conversation with {other}")
    # The socket is open once chat.js has stopped the polling fallback.
    expect(tab.locator("#chat-poller")).to_have_count(0)
    # Set on this document only: it is gone if the page reloads or navigates.
    tab.evaluate("window.__samePage = true")


def _send(tab, text: str) -> None:
    tab.locator("#compose").get_by_label("Message").fill(text)
    tab.locator("#compose").get_by_role("button", name="Send").click()


def _last_message(tab):
    return tab.locator("#chat-log li.chat-item").last


def test_mentor_and_mentee_chat_live_in_two_browsers(open_tab, browser_log, personas, relationship):
    mentor = open_tab()
    sign_in(mentor, personas.ana.email, PASSWORD, personas.totp_secrets[personas.ana.email])
    mentee = open_tab()
    sign_in(mentee, personas.cara.email, PASSWORD)
    _open_conversation(mentor, "Cara Mentee")
    _open_conversation(mentee, "Ana Mentor")

    question = "Could we move Thursday's meeting to the afternoon?"
    _send(mentee, question)
    arrived = _last_message(mentor)
    expect(arrived.locator(".chat-body")).to_have_text(question)
    expect(arrived.locator(".chat-author")).to_have_text("Cara Mentee")
    expect(_last_message(mentee).locator(".chat-author")).to_have_text("You")
    expect(mentee.locator("#compose").get_by_label("Message")).to_have_value("")

    answer = "Yes, 15:00 works for me."
    _send(mentor, answer)
    back = _last_message(mentee)
    expect(back.locator(".chat-body")).to_have_text(answer)
    expect(back.locator(".chat-author")).to_have_text("Ana Mentor")

    # Each side shows both messages exactly once, and neither page was reloaded.
    for tab in (mentor, mentee):
        expect(tab.locator("#chat-log .chat-body")).to_have_text([question, answer])
        assert tab.evaluate("window.__samePage === true")
        assert csp_violations(tab) == []
    assert browser_log.csp_messages() == []
    assert browser_log.page_errors == []


def test_mentee_shares_a_file_with_a_password_and_an_outsider_downloads_it(
    open_tab, browser_log, personas, relationship
):
    mentee = open_tab()
    sign_in(mentee, personas.cara.email, PASSWORD)
    _open_relationship(mentee)
    mentee.get_by_role("navigation", name="This relationship").get_by_role(
        "link", name="Shared files"
    ).click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("Shared files")
    mentee.get_by_label("File", exact=True).set_input_files(
        {"name": "resume.txt", "mimeType": "text/plain", "buffer": RESUME}
    )
    mentee.get_by_role("button", name="Upload").click()
    expect(mentee.get_by_text("File uploaded.")).to_be_visible()
    assert csp_violations(mentee) == []
    mentee.get_by_role("link", name="resume.txt").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("resume.txt")
    file_page = mentee.url
    share = mentee.locator("form").filter(has=mentee.get_by_role("button", name="Create link"))
    share.get_by_label("Password").fill(LINK_PASSWORD)
    share.get_by_role("button", name="Create link").click()
    url = mentee.get_by_label("Link", exact=True).input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{22,}", url), url
    expect(mentee.get_by_role("region", name="Your share links")).to_contain_text(
        "Password protected"
    )
    assert csp_violations(mentee) == []

    # Someone without an account, in a browser of their own.
    outsider = open_tab()
    landing = outsider.goto(url)
    assert landing is not None and landing.status == 200
    assert landing.headers["referrer-policy"] == "no-referrer"
    expect(outsider.get_by_role("heading", level=1)).to_have_text("A file has been shared with you")
    expect(outsider.get_by_role("link", name="Download")).to_have_count(0)

    outsider.get_by_label("Password").fill("not the password")
    outsider.get_by_role("button", name="Download").click()
    expect(outsider.get_by_role("alert")).to_be_visible()

    outsider.get_by_label("Password").fill(LINK_PASSWORD)
    with outsider.expect_download() as pending:
        outsider.get_by_role("button", name="Download").click()
    download = pending.value
    assert download.suggested_filename == "resume.txt"
    with open(download.path(), "rb") as fh:
        assert fh.read() == RESUME
    assert csp_violations(outsider) == []

    # The owner sees that the link was used.
    mentee.goto(file_page)  # not a reload: that would post the form again
    expect(mentee.get_by_role("region", name="Your share links")).to_contain_text("1 download")
    assert browser_log.csp_messages() == []
    assert browser_log.page_errors == []
