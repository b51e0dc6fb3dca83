"""A WebSocket lives no longer than the session that opened it.

An open socket is closed with 4401 and receives nothing more once its session ends: signed out,
ended from another device ("sign out other sessions"), ended by a password change, or simply
gone from the session table. Each delivery checks the session again, and ending sessions rings
the person's sockets so they close at once."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from mentorhaven.accounts.services import password_change
from mentorhaven.asgi import application
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.messaging import services
from mentorhaven.messaging.consumers import NOT_SIGNED_IN
from mentorhaven.messaging.selectors import READ_PURPOSES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": NOT_SIGNED_IN}
NEW_PASSWORD = "an entirely new passphrase 99"


def signed_in(user) -> Client:
    """A browser signed in through the real sign-in form (so allauth records the session)."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def socket(conversation, client: Client) -> WebsocketCommunicator:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    return WebsocketCommunicator(
        application, f"/ws/conversations/{conversation.public_id}/", headers=headers
    )


def send(personas, chat, body="Still there?"):
    return database_sync_to_async(services.message_send)(
        actor=personas.ana, conversation=chat, body=body
    )


def closes_and_stays_quiet(end_session):
    """Scenario: cara's socket works, ``end_session`` runs, the socket closes with 4401
    without any message having to arrive, and a message sent afterwards never reaches it."""

    def run(chat, personas, browser):
        async def scenario():
            cara = socket(chat, browser)
            connected, _ = await cara.connect()
            assert connected
            await send(personas, chat, "Before")
            frame = await cara.receive_json_from(timeout=3)
            assert [i["body"] for i in frame["items"]] == ["Before"]
            await database_sync_to_async(end_session)()
            assert await cara.receive_output(timeout=3) == CLOSED
            await send(personas, chat, "After the session ended")
            assert await cara.receive_nothing(timeout=0.3)

        async_to_sync(scenario)()

    return run


def test_socket_closes_when_its_session_signs_out(chat, personas):
    browser = signed_in(personas.cara)
    closes_and_stays_quiet(lambda: browser.post("/accounts/logout/"))(chat, personas, browser)


def test_socket_closes_when_its_session_is_ended_from_another_device(chat, personas):
    browser, phone = signed_in(personas.cara), signed_in(personas.cara)
    closes_and_stays_quiet(lambda: phone.post("/accounts/sessions/end/", {"session": "others"}))(
        chat, personas, browser
    )


def test_socket_closes_when_the_password_changes(chat, personas):
    browser = signed_in(personas.cara)
    closes_and_stays_quiet(
        lambda: password_change(actor=None, user=personas.cara, password=NEW_PASSWORD)
    )(chat, personas, browser)


def test_socket_closes_when_the_password_changes_in_its_own_browser(chat, personas):
    # The changing browser stays signed in over HTTP under a fresh session key; the socket
    # opened under the old key closes, and the page opens a new one.
    browser = signed_in(personas.cara)
    closes_and_stays_quiet(
        lambda: browser.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    )(chat, personas, browser)
    assert browser.get("/dashboard/").status_code == 200


def test_every_delivery_checks_the_session_even_without_a_doorbell(chat, personas):
    # The session row disappears without any of our code ringing (expiry, clearsessions,
    # another process): the next delivery finds it gone and closes instead of sending.
    browser = signed_in(personas.cara)

    async def scenario():
        cara = socket(chat, browser)
        connected, _ = await cara.connect()
        assert connected
        await database_sync_to_async(lambda: Session.objects.all().delete())()
        await send(personas, chat, "Nobody should read this")
        assert await cara.receive_output(timeout=3) == CLOSED
        assert await cara.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_a_live_session_keeps_its_socket_when_another_session_ends(chat, personas):
    browser, phone = signed_in(personas.cara), signed_in(personas.cara)

    async def scenario():
        cara = socket(chat, browser)
        connected, _ = await cara.connect()
        assert connected
        await database_sync_to_async(lambda: phone.post("/accounts/logout/"))()
        assert await cara.receive_nothing(timeout=0.3)
        await send(personas, chat, "Still here")
        frame = await cara.receive_json_from(timeout=3)
        assert [i["body"] for i in frame["items"]] == ["Still here"]
        await cara.disconnect()

    async_to_sync(scenario)()


def test_realtime_delivery_is_a_recorded_read(chat, personas):
    browser = signed_in(personas.cara)

    async def scenario():
        cara = socket(chat, browser)
        assert (await cara.connect())[0]
        await send(personas, chat, "Hello")
        await cara.receive_json_from(timeout=3)
        await cara.disconnect()

    async_to_sync(scenario)()
    reads = AuditEvent.objects.filter(action="message.read", actor_role="mentee")
    assert list(reads.values_list("purpose", flat=True)) == [READ_PURPOSES["realtime"]]
