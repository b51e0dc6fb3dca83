"""Containment reaches the contained person's open WebSockets: the moment an officer contains the
account from the incident page, its sockets close with 4401 and receive nothing more — whether
the officer ends its sessions or only locks it (a locked account is signed in nowhere)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from mentorhaven.messaging.consumers import NOT_SIGNED_IN
from tests.messaging.conftest import chat, pair  # noqa: F401  (fixture re-export)
from tests.messaging.test_socket_sessions import send, signed_in, socket

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": NOT_SIGNED_IN}


def _contained_from_the_page(personas, chat, incident, officer, login, steps):  # noqa: F811
    caras_browser = signed_in(personas.cara)
    officers_browser = login(officer)

    def contain():
        response = officers_browser.post(
            f"/incidents/{incident.public_id}/contain/", {"steps": steps}
        )
        assert response.status_code == 302, response.content[:300]

    async def scenario():
        cara = socket(chat, caras_browser)
        connected, _ = await cara.connect()
        assert connected
        await send(personas, chat, "Before")
        frame = await cara.receive_json_from(timeout=3)
        assert [i["body"] for i in frame["items"]] == ["Before"]
        await database_sync_to_async(contain)()
        # Closed at once, without waiting for another message to arrive.
        assert await cara.receive_output(timeout=3) == CLOSED
        await send(personas, chat, "After containment")
        assert await cara.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_containment_closes_the_accounts_open_sockets(
    personas,
    chat,  # noqa: F811
    incident,
    officer,
    login,
):
    _contained_from_the_page(personas, chat, incident, officer, login, ["lock", "sessions"])


def test_locking_alone_closes_the_accounts_open_sockets(
    personas,
    chat,  # noqa: F811
    incident,
    officer,
    login,
):
    _contained_from_the_page(personas, chat, incident, officer, login, ["lock"])
