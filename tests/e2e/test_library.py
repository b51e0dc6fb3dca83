"""The program library in Chromium: the coordinator adds a video for mentees; a mentee opens
it, the <video> element loads it from the encrypted store through range requests, and seeks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in
from tests.library.conftest import webm_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_library(tab) -> None:
    tab.goto("/")
    tab.get_by_role("link", name="Program library in Demo 2026").first.click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Library of Demo 2026")


def test_coordinator_adds_a_video_and_a_mentee_watches_and_seeks(personas, open_tab, browser_log):
    video = webm_bytes(seconds=4.0)
    admin = open_tab()
    sign_in(
        admin,
        personas.coordinator.email,
        PASSWORD,
        personas.totp_secrets[personas.coordinator.email],
    )
    _open_library(admin)
    admin.get_by_role("link", name="Add a resource").click()
    admin.get_by_label("Kind").select_option("video")
    admin.get_by_label("Title").fill("Your first meeting")
    admin.get_by_label("For").select_option("mentee")
    admin.get_by_label("Tags (separated by commas)").fill("meetings, start")
    admin.get_by_label("File (a document or a video)").set_input_files(
        {"name": "first-meeting.webm", "mimeType": "video/webm", "buffer": video}
    )
    admin.get_by_role("button", name="Add").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Your first meeting")

    mentee = open_tab()
    ranges: list[tuple[int, str | None, str | None]] = []
    mentee.on(
        "response",
        lambda r: (
            ranges.append(
                (r.status, r.request.headers.get("range"), r.headers.get("content-range"))
            )
            if "/content" in r.url
            else None
        ),
    )
    sign_in(mentee, personas.cara.email, PASSWORD)
    _open_library(mentee)
    mentee.get_by_label("Search").fill("meetings")
    mentee.get_by_role("button", name="Search").click()
    mentee.get_by_role("link", name="Your first meeting").click()
    player = mentee.locator("video#resource-video")
    expect(player).to_be_visible()
    assert _video_ready(mentee, at_least=1, event="loadedmetadata") >= 1
    duration = mentee.evaluate("document.querySelector('#resource-video').duration")
    assert 3.5 <= duration <= 4.5, duration
    seeked = mentee.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('#resource-video');
            v.addEventListener('seeked', () => resolve({t: v.currentTime, state: v.readyState}),
                               {once: true});
            v.currentTime = 2.5;
        })"""
    )
    assert abs(seeked["t"] - 2.5) < 0.2, seeked
    assert _video_ready(mentee, at_least=2, event="loadeddata") >= 2
    assert any(status == 206 and cr for status, _r, cr in ranges), ranges
    assert all(status in (200, 206) for status, _r, _cr in ranges), ranges
    assert csp_violations(mentee) == []
    assert not browser_log.page_errors


def _video_ready(page, *, at_least: int, event: str) -> int:
    """The video's readyState once it is at least ``at_least``, waiting for ``event`` (or a
    timeout) inside the page. Not ``wait_for_function``: when its first check fails it polls
    with a string evaluated in the page, which the page's CSP (no 'unsafe-eval') refuses."""
    return page.evaluate(
        """([atLeast, event]) => new Promise((resolve) => {
            const v = document.querySelector('#resource-video');
            if (v.readyState >= atLeast) return resolve(v.readyState);
            v.addEventListener(event, () => resolve(v.readyState), {once: true});
            setTimeout(() => resolve(v.readyState), 15000);
        })""",
        [at_least, event],
    )
