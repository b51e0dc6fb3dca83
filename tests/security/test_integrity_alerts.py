"""A damaged or moved ciphertext never turns a page into an error: the item shows as unreadable
(not as erased), an audit event records it with identifiers only, and the organization's
security officers get one content-free e-mail an hour however many rows are damaged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, integrity, vault
from mentorhaven.kernel.models import AuditEvent, IntegrityNotice
from mentorhaven.mentoring.models import Note
from mentorhaven.mentoring.services import note_create
from mentorhaven.programs.models import OrgMembership
from tests.mentoring.conftest import make_active

pytestmark = pytest.mark.django_db

ACTION = "vault.integrity_failure"
GOOD = "Talked about the promotion panel"


@pytest.fixture
def officer(personas) -> User:
    person = User.objects.create_user(email="security@demo.test", password="x" * 20)
    OrgMembership.objects.create(
        organization=personas.org, user=person, role=OrgMembership.Role.SECURITY_OFFICER
    )
    return person


@pytest.fixture
def relationship(personas):
    return make_active(personas, personas.cara, personas.ana)


def _copy_body(source: Note, targets: list[Note]) -> None:
    """What an insider does: paste one note's ciphertext over other notes' (SQL only)."""
    with connection.cursor() as cursor:
        for target in targets:
            cursor.execute(
                "UPDATE mentoring_note SET body = (SELECT body FROM mentoring_note WHERE id = %s) "
                "WHERE id = %s",
                [source.pk, target.pk],
            )


def _notes(personas, relationship, count: int) -> list[Note]:
    return [
        note_create(actor=personas.cara, relationship=relationship, body=f"{GOOD} #{i}")
        for i in range(count)
    ]


def _page(client, relationship, capture):
    with capture(execute=True):
        response = client.get(f"/relationships/{relationship.public_id}/")
    return response


def test_a_tampered_note_shows_as_unreadable_and_the_officers_are_told(
    client, personas, login, relationship, officer, django_capture_on_commit_callbacks
):
    first, second = _notes(personas, relationship, 2)
    _copy_body(first, [second])
    login(personas.cara)
    vault.forget_cached_keys()

    response = _page(client, relationship, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{GOOD} #0" in page  # the intact note still reads
    assert f"{GOOD} #1" not in page
    assert page.count("[unreadable]") == 1 and "[erased]" not in page
    event = AuditEvent.objects.get(action=ACTION)
    assert event.target_type == "mentoring.note"
    assert event.target_id == audit.target_pseudonym(
        second.author, ("mentoring.note", str(second.public_id))
    )
    assert event.extra == {"column": "body"} and event.actor == "system"
    assert event.organization_id == personas.org.pk
    assert [m.to for m in mail.outbox] == [[officer.email]]
    notice = mail.outbox[0]
    for secret in (GOOD, personas.cara.email, personas.cara.display_name, str(second.public_id)):
        assert secret not in notice.subject + notice.body


def test_a_mail_outage_does_not_fail_the_page_that_found_the_damage(
    client, personas, login, relationship, officer, django_capture_on_commit_callbacks,
    monkeypatch, caplog,
):  # fmt: skip
    first, second = _notes(personas, relationship, 2)
    _copy_body(first, [second])
    login(personas.cara)
    vault.forget_cached_keys()

    def outage(*args, **kwargs):
        raise OSError("the mail server is down")

    monkeypatch.setattr(integrity, "send_mass_mail", outage)
    with caplog.at_level(logging.ERROR, logger="mentorhaven.vault"):
        response = _page(client, relationship, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert response.content.decode().count("[unreadable]") == 1
    assert AuditEvent.objects.filter(action=ACTION).count() == 1
    assert "could not e-mail the security officers" in caplog.text
    assert mail.outbox == []


def test_fifty_damaged_rows_send_one_notice_an_hour(
    client, personas, login, relationship, officer, django_capture_on_commit_callbacks
):
    notes = _notes(personas, relationship, 51)
    _copy_body(notes[0], notes[1:])
    login(personas.cara)

    page = _page(client, relationship, django_capture_on_commit_callbacks).content.decode()
    assert page.count("[unreadable]") == 50
    assert AuditEvent.objects.filter(action=ACTION).count() == 50
    assert len(mail.outbox) == 1

    _page(client, relationship, django_capture_on_commit_callbacks)  # the same hour
    assert len(mail.outbox) == 1
    assert IntegrityNotice.objects.filter(organization_id=personas.org.pk).count() == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        client.force_login(personas.cara)
        _page(client, relationship, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_the_api_shows_the_placeholder_instead_of_failing(
    client, personas, login, relationship, officer, django_capture_on_commit_callbacks
):
    first, second = _notes(personas, relationship, 2)
    _copy_body(first, [second])
    login(personas.cara)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/api/v1/relationships/{relationship.public_id}/notes")
    assert response.status_code == 200
    bodies = {item["id"]: item["body"] for item in response.json()["items"]}
    assert bodies[str(second.public_id)] == "[unreadable]"
    assert bodies[str(first.public_id)] == f"{GOOD} #0"
    assert len(mail.outbox) == 1


def test_unreadable_is_not_erased(client, personas, login, relationship, officer):
    first, second = _notes(personas, relationship, 2)
    _copy_body(first, [second])
    vault.shred(personas.cara)
    login(personas.cara)
    page = client.get(f"/relationships/{relationship.public_id}/").content.decode()
    # With the key destroyed, nothing can be checked any more: both read as erased, and no
    # integrity alarm is raised for content that is simply gone.
    assert page.count("[erased]") == 2 and "[unreadable]" not in page
    assert not AuditEvent.objects.filter(action=ACTION).exists()
