"""The WebSocket at ``/ws/conversations/<uuid>/``, through the real ASGI stack (Origin check,
session authentication, routing): sign-in required, foreign conversations refused, messages
pushed after commit to the other participant."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator  # (the package needs daphne)
from django.conf import settings
from django.test import Client

from mentorhaven.asgi import application
from mentorhaven.mentoring.services import relationship_end
from mentorhaven.messaging import services
from mentorhaven.messaging.consumers import GONE, NOT_FOUND, NOT_SIGNED_IN

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def session_headers(user, origin=ORIGIN) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    headers = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]
    return [origin, *headers] if origin else headers


def socket(conversation, headers, query="") -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/conversations/{conversation.public_id}/{query}", headers=headers
    )


def run(coroutine_function):
    async_to_sync(coroutine_function)()


def test_message_is_pushed_to_the_other_participant_after_commit(chat, personas):
    headers = session_headers(personas.ana)

    async def scenario():
        ana = socket(chat, headers)
        connected, _ = await ana.connect()
        assert connected
        message = await database_sync_to_async(services.message_send)(
            actor=personas.cara, conversation=chat, body="Are you free on Monday?"
        )
        frame = await ana.receive_json_from(timeout=3)
        assert frame["type"] == "messages"
        [item] = frame["items"]
        assert item["id"] == str(message.public_id) and item["seq"] == 1
        assert item["body"] == "Are you free on Monday?" and not item["mine"]
        await database_sync_to_async(services.message_edit)(
            actor=personas.cara, message=message, body="Tuesday?"
        )
        changed = await ana.receive_json_from(timeout=3)
        assert changed["type"] == "message" and changed["item"]["body"] == "Tuesday?"
        assert changed["item"]["edited"]
        await ana.disconnect()

    run(scenario)


def test_socket_catches_up_from_the_cursor_without_repeating(chat, personas):
    for i in range(3):
        services.message_send(actor=personas.cara, conversation=chat, body=f"m{i}")

    headers = session_headers(personas.ana)

    async def scenario():
        ana = socket(chat, headers, "?after=1")
        connected, _ = await ana.connect()
        assert connected
        frame = await ana.receive_json_from(timeout=3)
        assert [i["seq"] for i in frame["items"]] == [2, 3]
        await database_sync_to_async(services.message_send)(
            actor=personas.ana, conversation=chat, body="m3"
        )
        frame = await ana.receive_json_from(timeout=3)
        assert [i["seq"] for i in frame["items"]] == [4] and frame["items"][0]["mine"]
        assert await ana.receive_nothing(timeout=0.2)
        await ana.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["ben", "dev", "coordinator", "org_admin", "outsider"])
def test_subscribing_to_a_foreign_conversation_is_refused(chat, personas, who):
    services.message_send(actor=personas.cara, conversation=chat, body="private")

    headers = session_headers(getattr(personas, who))

    async def scenario():
        intruder = socket(chat, headers, "?after=0")
        connected, code = await intruder.connect()
        assert not connected and code == NOT_FOUND

    run(scenario)


def test_unknown_conversation_id_gets_the_same_refusal(chat, personas):
    class Fake:
        public_id = "00000000-0000-4000-8000-000000000000"

    headers = session_headers(personas.cara)

    async def scenario():
        guess = socket(Fake, headers)
        connected, code = await guess.connect()
        assert not connected and code == NOT_FOUND

    run(scenario)


def test_anonymous_socket_is_refused(chat):
    async def scenario():
        anonymous = socket(chat, [ORIGIN])
        connected, code = await anonymous.connect()
        assert not connected and code == NOT_SIGNED_IN

    run(scenario)


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null", None])
def test_wrong_or_missing_origin_is_refused(chat, personas, origin):
    headers = session_headers(personas.cara, origin=(b"origin", origin) if origin else None)

    async def scenario():
        cross_site = socket(chat, headers)
        connected, _ = await cross_site.connect()
        assert not connected

    run(scenario)


def test_socket_is_closed_when_access_ends(personas, pair):
    from mentorhaven.programs.models import Membership, Program

    program = Program.objects.create(
        organization=personas.org, name="Circle", slug="circle-ws", kind=Program.Kind.GROUP
    )
    for person in (personas.coordinator, personas.ana, personas.cara):
        Membership.objects.create(
            program=program,
            user=person,
            role=Membership.Role.PROGRAM_ADMIN
            if person == personas.coordinator
            else Membership.Role.MENTEE,
        )
    group = services.group_conversation_create(
        actor=personas.coordinator,
        program=program,
        title="Circle",
        members=[personas.ana, personas.cara],
    )

    headers = session_headers(personas.cara)

    async def scenario():
        cara = socket(group, headers)
        assert (await cara.connect())[0]
        await database_sync_to_async(group.members.filter(user=personas.cara).update)(
            left_at=pair.started_at
        )
        await database_sync_to_async(services.message_send)(
            actor=personas.ana, conversation=group, body="after you left"
        )
        output = await cara.receive_output(timeout=3)
        assert output == {"type": "websocket.close", "code": GONE}

    run(scenario)


def test_archive_socket_still_reads_after_the_relationship_ends(chat, pair, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="thanks")
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)

    headers = session_headers(personas.ana)

    async def scenario():
        ana = socket(chat, headers, "?after=0")
        assert (await ana.connect())[0]
        frame = await ana.receive_json_from(timeout=3)
        assert [i["body"] for i in frame["items"]] == ["thanks"]
        await ana.disconnect()

    run(scenario)


def test_mentor_who_has_not_enrolled_a_second_factor_is_refused(personas):
    from mentorhaven.accounts.models import User
    from mentorhaven.programs.models import Membership, OrgMembership
    from tests.mentoring.conftest import make_active

    newcomer = User.objects.create_user(email="new.mentor@demo.test", display_name="New Mentor")
    OrgMembership.objects.create(organization=personas.org, user=newcomer)
    Membership.objects.create(program=personas.program, user=newcomer, role=Membership.Role.MENTOR)
    relationship = make_active(personas, personas.dev, newcomer)
    conversation = services.conversation_for_relationship(
        actor=personas.dev, relationship=relationship
    )
    headers = session_headers(newcomer)

    async def scenario():
        gated = socket(conversation, headers)
        connected, code = await gated.connect()
        assert not connected and code == NOT_SIGNED_IN

    run(scenario)
