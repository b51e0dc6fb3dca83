"""Notifications: in-app notices and e-mails per preference, never carrying content; and a
message body never reaching e-mails, logs or the database file in plain text."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from mentorhaven.messaging import services
from mentorhaven.messaging.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

SECRET = "Zebra-ocelot confession 7731: I failed the audit"


def _prefer(user, email):
    services.notification_preference_set(actor=user, email=email)


def test_a_burst_of_messages_makes_one_unread_notice(chat, personas):
    for i in range(3):
        services.message_send(actor=personas.ana, conversation=chat, body=f"{SECRET} {i}")
    [notice] = Notification.objects.filter(user=personas.cara, kind="message")
    assert notice.text == "You have a new message from your mentor"
    assert notice.link == f"/messages/c/{chat.public_id}/"
    assert not Notification.objects.filter(user=personas.ana, kind="message").exists()
    services.conversation_mark_read(actor=personas.cara, conversation=chat, seq=3)
    services.message_send(actor=personas.ana, conversation=chat, body="again")
    assert (
        Notification.objects.filter(
            user=personas.cara, kind="message", read_at__isnull=True
        ).count()
        == 1
    )


def test_immediate_email_says_who_wrote_and_links_but_never_the_content(
    chat, personas, django_capture_on_commit_callbacks
):
    _prefer(personas.ana, NotificationPreference.Email.IMMEDIATELY)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    [sent] = mail.outbox
    assert sent.to == [personas.ana.email]
    assert "You have a new message from your mentee" in sent.body
    assert f"/messages/c/{chat.public_id}/" in sent.body
    assert SECRET not in sent.body and SECRET not in sent.subject
    assert "Zebra" not in str(sent.message())
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(actor=personas.cara, conversation=chat, body="second")
    assert len(mail.outbox) == 1  # still unread: no second e-mail


def test_daily_preference_waits_for_the_digest_which_is_sent_once(chat, personas):
    _prefer(personas.ana, NotificationPreference.Email.DAILY)
    services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    assert mail.outbox == []
    call_command("messaging", "digest")
    call_command("messaging", "digest")  # idempotent
    [sent] = mail.outbox
    assert "daily" in sent.subject.lower() and SECRET not in sent.body
    services.conversation_mark_read(actor=personas.ana, conversation=chat, seq=1)
    services.message_send(actor=personas.cara, conversation=chat, body="next day")
    call_command("messaging", "digest")
    assert len(mail.outbox) == 1  # not before a day has passed
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        call_command("messaging", "digest")
    assert len(mail.outbox) == 2


def test_never_means_no_email_but_the_in_app_notice_remains(chat, personas):
    _prefer(personas.ana, NotificationPreference.Email.NEVER)
    services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    call_command("messaging", "digest")
    assert mail.outbox == []
    assert Notification.objects.filter(user=personas.ana, kind="message").count() == 1


def test_notifications_page_and_preference_form(chat, personas, login):
    services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    client = login(personas.ana)
    page = client.get("/messages/notifications/").content.decode()
    assert "You have a new message from your mentee" in page and SECRET not in page
    client.post("/messages/notifications/", {"email": "never"})
    assert services.email_preference(personas.ana) == "never"
    notice = Notification.objects.get(user=personas.ana, kind="message")
    response = client.get(f"/messages/notifications/{notice.public_id}/")
    assert response["Location"] == notice.link
    notice.refresh_from_db()
    assert notice.read_at is not None
    other = login(personas.ben, c=Client())
    assert other.get(f"/messages/notifications/{notice.public_id}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_message_body_never_reaches_logs_emails_or_the_database_file(
    chat, personas, login, bearer, caplog
):
    caplog.set_level(logging.DEBUG)
    _prefer(personas.ana, NotificationPreference.Email.IMMEDIATELY)
    client = login(personas.cara)
    client.post(f"/messages/c/{chat.public_id}/send/", {"body": SECRET})
    api = Client()
    api.post(
        f"/api/v1/relationships/{chat.relationship.public_id}/messages",
        {"body": SECRET + " (api)"},
        content_type="application/json",
        headers=bearer(personas.cara),
    )
    services.message_edit(actor=personas.cara, message=chat.messages.first(), body=SECRET + "!")
    call_command("messaging", "digest")
    assert chat.messages.count() == 2 and mail.outbox
    needle = b"Zebra-ocelot"
    assert needle.decode() not in caplog.text
    assert all(needle.decode() not in (m.body + m.subject) for m in mail.outbox)
    if connection.vendor == "sqlite":
        # The whole database as a file: every table, index and free page.
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            assert needle not in copy.read_bytes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message")
        stored = [bytes(row[0]) for row in cursor.fetchall()]
    assert stored and all(needle not in value for value in stored)
