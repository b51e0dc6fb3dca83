"""The notification centre: read and unread, a count in the navigation, and each person's choice
per kind (here and by e-mail, here only, off) kept by every kind's delivery."""

from __future__ import annotations

import pytest
from django.core import mail

from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.services import meeting_propose
from mentorhaven.messaging import services
from mentorhaven.messaging.models import Notification

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def _propose(pair, personas):
    from datetime import timedelta

    from django.utils import timezone

    slot = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    return meeting_propose(actor=personas.cara, relationship=pair, slots=[slot])


def test_a_kind_turned_off_makes_no_notice_and_no_email(
    pair, personas, django_capture_on_commit_callbacks
):
    services.notification_preference_set(actor=personas.ana, channels={"meeting_proposed": "off"})
    with django_capture_on_commit_callbacks(execute=True):
        _propose(pair, personas)
    assert not Notification.objects.filter(user=personas.ana, kind=Kind.MEETING_PROPOSED).exists()
    assert mail.outbox == []


def test_here_only_makes_a_notice_but_no_email(pair, personas, django_capture_on_commit_callbacks):
    services.notification_preference_set(actor=personas.ana, channels={"meeting_proposed": "app"})
    with django_capture_on_commit_callbacks(execute=True):
        _propose(pair, personas)
    [notice] = Notification.objects.filter(user=personas.ana, kind=Kind.MEETING_PROPOSED)
    assert not notice.by_email
    assert mail.outbox == []


def test_by_default_a_notice_and_an_email_with_a_link_only(
    pair, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _propose(pair, personas)
    [sent] = mail.outbox
    assert sent.to == [personas.ana.email]
    assert sent.subject.endswith("A meeting was proposed")
    assert f"/relationships/{pair.public_id}/" in sent.body
    assert "Cara" not in sent.body + sent.subject


def test_safety_reports_cannot_be_turned_off(personas):
    with pytest.raises(ValidationFailed):
        services.notification_preference_set(actor=personas.coordinator, channels={"report": "off"})
    with pytest.raises(ValidationFailed):
        services.notification_preference_set(actor=personas.cara, channels={"nonsense": "off"})
    with pytest.raises(ValidationFailed):
        services.notification_preference_set(actor=personas.cara, channels={"message": "loud"})


def test_choosing_is_audited_and_keeps_other_kinds(personas):
    services.notification_preference_set(actor=personas.cara, channels={"message": "app"})
    services.notification_preference_set(actor=personas.cara, email="daily")
    channels = services.notification_channels(personas.cara)
    assert channels["message"] == "app" and channels["meeting_proposed"] == "email"
    assert services.email_preference(personas.cara) == "daily"
    assert AuditEvent.objects.filter(action="notification_preference.set").count() == 2


def test_the_centre_shows_unread_and_the_navigation_counts_them(chat, personas, login):
    services.notifications_mark_read(actor=personas.cara)  # the match and its start
    services.message_send(actor=personas.ana, conversation=chat, body="hello")
    client = login(personas.cara)
    page = client.get("/messages/notifications/")
    assert page.status_code == 200
    [item] = [i for i in page.context["nav_items"] if i.url == "/messages/notifications/"]
    assert item.count == 1
    assert "You have a new message from your mentor" in page.content.decode()
    assert 'class="badge count"' in page.content.decode()
    client.post("/messages/notifications/", {"mark_read": "1"})
    unread = client.get("/messages/notifications/?show=unread")
    assert "Nothing unread." in unread.content.decode()
    [item] = [i for i in unread.context["nav_items"] if i.url == "/messages/notifications/"]
    assert item.count == 0
    everything = client.get("/messages/notifications/").content.decode()
    assert "You have a new message from your mentor" in everything


def test_the_preference_form_saves_each_kind_and_bad_input_is_a_clear_400(personas, login):
    client = login(personas.cara)
    form = {"email": "immediately", **{f"kind_{k}": "email" for k in Kind.values}}
    form["kind_invitation"] = "app"  # an invitation brings its own e-mail
    form["kind_message"] = "off"
    form["kind_safety_warning"] = "app"  # never e-mailed through the preferences
    assert client.post("/messages/notifications/", form).status_code == 302
    assert services.notification_channels(personas.cara)["message"] == "off"
    form["kind_report"] = "off"  # not offered: safety reports stay on
    response = client.post("/messages/notifications/", form)
    assert response.status_code == 400
    assert services.notification_channels(personas.cara)["report"] == "email"


def test_someone_elses_notice_is_not_found(chat, personas, login):
    services.message_send(actor=personas.ana, conversation=chat, body="hello")
    notice = Notification.objects.get(user=personas.cara, kind="message")
    client = login(personas.dev)
    assert client.get(f"/messages/notifications/{notice.public_id}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
