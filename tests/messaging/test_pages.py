"""The conversation pages: reading, sending, polling fallback, search, edit, archive."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mentorhaven.mentoring.services import relationship_end
from mentorhaven.messaging import services
from mentorhaven.messaging.models import Message

pytestmark = pytest.mark.django_db


def page(client, chat, suffix="") -> str:
    response = client.get(f"/messages/c/{chat.public_id}/{suffix}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_conversation_page_shows_messages_and_marks_them_read(chat, personas, login):
    services.message_send(actor=personas.ana, conversation=chat, body="Welcome, Cara")
    client = login(personas.cara)
    html = page(client, chat)
    assert "Welcome, Cara" in html
    assert f'data-socket="/ws/conversations/{chat.public_id}/"' in html
    assert 'id="chat-cursor" name="after" value="1"' in html
    inbox = client.get("/messages/").content.decode()
    assert "unread" not in inbox


def test_page_has_no_inline_script_and_loads_chat_js(chat, personas, login):
    response = login(personas.cara).get(f"/messages/c/{chat.public_id}/")
    html = response.content.decode()
    assert "/static/mentorhaven/chat.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_send_by_form_and_by_htmx(chat, personas, login):
    client = login(personas.cara)
    response = client.post(f"/messages/c/{chat.public_id}/send/", {"body": "plain form"})
    assert response.status_code == 302
    response = client.post(
        f"/messages/c/{chat.public_id}/send/", {"body": "with htmx"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert [m.body for m in Message.objects.order_by("seq")] == ["plain form", "with htmx"]


def test_polling_fragment_returns_each_message_once_and_moves_the_cursor(chat, personas, login):
    client = login(personas.cara)
    services.message_send(actor=personas.ana, conversation=chat, body="first")
    first = page(client, chat, "poll/?after=0")
    assert (
        "first" in first and 'value="1"' in first and 'hx-swap-oob="beforeend:#chat-log"' in first
    )
    services.message_send(actor=personas.ana, conversation=chat, body="second")
    second = page(client, chat, "poll/?after=1")
    assert "second" in second and "first" not in second and 'value="2"' in second
    nothing = page(client, chat, "poll/?after=2")
    assert "chat-item" not in nothing and 'value="2"' in nothing


def test_search_page(chat, personas, login):
    services.message_send(actor=personas.ana, conversation=chat, body="Read 'Deep Work'")
    services.message_send(actor=personas.ana, conversation=chat, body="See you soon")
    html = page(login(personas.cara), chat, "search/?q=deep")
    assert "Deep Work" in html and "See you soon" not in html and "1 message found" in html


def test_edit_page_changes_own_message_only(chat, personas, login):
    message = services.message_send(actor=personas.cara, conversation=chat, body="draft")
    client = login(personas.cara)
    client.post(f"/messages/m/{message.public_id}/edit/", {"body": "final"})
    message.refresh_from_db()
    assert message.body == "final"
    other = login(personas.ana, c=Client())
    assert other.post(f"/messages/m/{message.public_id}/edit/", {"body": "x"}).status_code == 403
    assert other.post(f"/messages/m/{message.public_id}/delete/").status_code == 403


def test_archive_page_says_read_only_and_has_no_composer(chat, pair, personas, login):
    services.message_send(actor=personas.cara, conversation=chat, body="thanks")
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    client = login(personas.ana)
    html = page(client, chat)
    assert "Read-only archive" in html and 'id="compose"' not in html and "thanks" in html
    response = client.post(f"/messages/c/{chat.public_id}/send/", {"body": "late"}, follow=True)
    assert "read-only archive" in response.content.decode()


@pytest.mark.parametrize("who", ["ben", "coordinator", "org_admin", "outsider"])
def test_pages_of_a_foreign_conversation_are_404(chat, personas, login, who):
    message = services.message_send(actor=personas.cara, conversation=chat, body="private")
    client = login(getattr(personas, who))
    for path in ("", "poll/?after=0", "search/?q=private", "history/?before=5"):
        assert client.get(f"/messages/c/{chat.public_id}/{path}").status_code == 404
    assert client.post(f"/messages/c/{chat.public_id}/send/", {"body": "x"}).status_code == 404
    assert client.get(f"/messages/m/{message.public_id}/report/").status_code == 404
    assert client.get(f"/messages/relationship/{chat.relationship.public_id}/").status_code == 404


def test_opening_a_relationship_creates_its_conversation_once(pair, personas, login):
    client = login(personas.cara)
    first = client.get(f"/messages/relationship/{pair.public_id}/")
    second = client.get(f"/messages/relationship/{pair.public_id}/")
    assert first["Location"] == second["Location"]
    assert first["Location"] == f"/messages/c/{pair.conversation.public_id}/"


def test_refused_htmx_send_reloads_the_page_to_show_why(chat, pair, personas, login):
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    client = login(personas.cara)
    response = client.post(
        f"/messages/c/{chat.public_id}/send/", {"body": "late"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert "read-only archive" in page(client, chat)
