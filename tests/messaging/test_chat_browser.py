"""Two people chat live in Chromium through the real server (uvicorn, Channels): the mentee
writes, the mentor sees it without reloading, over the WebSocket — and, with WebSockets
unavailable, by polling, still exactly once. No CSP violation (``connect-src 'self'`` admits
the same-origin ``ws:`` URL in Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorhaven.messaging.services import conversation_for_relationship
from tests.conftest import PASSWORD
from tests.e2e.conftest import (  # noqa: F401  (fixtures)
    CSP_LISTENER,
    browser,
    chromium_path,
    csp_violations,
    server_url,
    sign_in,
)
from tests.mentoring.conftest import make_active

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

NO_WEBSOCKET = "delete window.WebSocket;"


def _tab(chromium, base_url, *scripts):
    context = chromium.new_context(base_url=base_url)
    context.add_init_script(CSP_LISTENER)
    for script in scripts:
        context.add_init_script(script)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def conversation(personas):
    relationship = make_active(personas, personas.cara, personas.ana)
    return conversation_for_relationship(actor=personas.cara, relationship=relationship)


def _open(tab, person, personas, conversation):
    sign_in(tab, person.email, PASSWORD, personas.totp_secrets.get(person.email))
    tab.goto(f"/messages/c/{conversation.public_id}/")


def test_mentee_and_mentor_chat_live_over_the_websocket(
    browser,  # noqa: F811  (the fixture imported above)
    server_url,  # noqa: F811
    personas,
    conversation,
):
    mentor_ctx, mentor = _tab(browser, server_url)
    mentee_ctx, mentee = _tab(browser, server_url)
    try:
        _open(mentor, personas.ana, personas, conversation)
        _open(mentee, personas.cara, personas, conversation)
        # chat.js removes the htmx poller once the socket is open.
        expect(mentor.locator("#chat-poller")).to_have_count(0)
        expect(mentee.locator("#chat-poller")).to_have_count(0)
        mentee.fill("textarea[name=body]", "Hello Ana, can we talk about my promotion?")
        mentee.get_by_role("button", name="Send").click()
        item = mentor.locator("#chat-log li", has_text="can we talk about my promotion?")
        expect(item).to_have_count(1)  # the poller is gone: only the socket can bring it
        expect(mentee.locator("#chat-log li", has_text="my promotion")).to_have_count(1)
        expect(mentee.locator("textarea[name=body]")).to_have_value("")
        mentor.fill("textarea[name=body]", "Of course. Thursday?")
        mentor.get_by_role("button", name="Send").click()
        expect(mentee.locator("#chat-log li", has_text="Thursday?")).to_have_count(1)
        assert csp_violations(mentor) == [] and csp_violations(mentee) == []
    finally:
        mentor_ctx.close()
        mentee_ctx.close()


def test_without_websockets_the_page_polls_and_shows_each_message_once(
    browser,  # noqa: F811  (the fixture imported above)
    server_url,  # noqa: F811
    personas,
    conversation,
):
    mentor_ctx, mentor = _tab(browser, server_url, NO_WEBSOCKET)
    mentee_ctx, mentee = _tab(browser, server_url, NO_WEBSOCKET)
    try:
        _open(mentor, personas.ana, personas, conversation)
        _open(mentee, personas.cara, personas, conversation)
        expect(mentor.locator("#chat-poller")).to_have_count(1)
        for text in ("first by polling", "second by polling"):
            mentee.fill("textarea[name=body]", text)
            mentee.get_by_role("button", name="Send").click()
            expect(mentee.locator("textarea[name=body]")).to_have_value("")  # sent
        expect(mentor.locator("#chat-log li", has_text="by polling")).to_have_count(
            2, timeout=12_000
        )
        mentor.wait_for_timeout(5_000)  # another poll or two: nothing is repeated
        expect(mentor.locator("#chat-log li", has_text="by polling")).to_have_count(2)
        expect(mentee.locator("#chat-log li", has_text="by polling")).to_have_count(2)
        assert csp_violations(mentor) == []
    finally:
        mentor_ctx.close()
        mentee_ctx.close()
