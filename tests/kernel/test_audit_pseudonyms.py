"""With a copy of the database and no keys, no audit event joins to a person; with the keys, the
kernel finds a person's events again; after erasure, nobody can.

The realistic database is built through the services, as people would use the site: matches,
a conversation, messages read by the other side, goals, notes, a meeting, a file downloaded and
shared by link, tokens, an invitation, a block, a safety report, sign-ins.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from mentorhaven.accounts.services import login_failed_record, login_succeeded_record
from mentorhaven.accounts.tokens import api_token_create, api_token_revoke
from mentorhaven.files.selectors import file_content_for
from mentorhaven.files.services import (
    file_upload,
    share_link_create,
    share_link_download,
    share_link_revoke,
)
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.selectors import goals_for, meetings_for, notes_for
from mentorhaven.mentoring.services import (
    calendar_feed_create,
    goal_create,
    goal_progress_add,
    meeting_accept,
    meeting_propose,
    milestone_add,
    milestone_set_done,
    note_create,
    relationship_end,
)
from mentorhaven.messaging.selectors import messages_page, report_for_admin
from mentorhaven.messaging.services import (
    block_create,
    conversation_for_relationship,
    message_edit,
    message_send,
    notification_preference_set,
    report_close,
    report_create,
    report_note_add,
    report_triage,
    report_warn,
)
from mentorhaven.programs.models import Organization
from mentorhaven.programs.services import invitation_create
from tests.conftest import make_personas
from tests.mentoring.conftest import make_active

# The audit log itself and the key table; Django's catalogue of models and permissions (rows
# made by migrations, before the ids were spread).
NOT_ABOUT_PEOPLE = ("kernel", "contenttypes", "auth")
ID_SPACING = 10_000_000  # each table's ids start far from every other's (and from any count)


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    vault.forget_cached_keys()


def _spread_ids() -> None:
    """Start every table's ids in a range of its own, so that an id found in the audit log
    can only be a real reference, never a count that happens to equal it."""
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models()
        if isinstance(m._meta.pk, models.AutoField) and m._meta.managed
    )
    with connection.cursor() as cursor:
        for i, table in enumerate(tables, start=1):
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, i * ID_SPACING]
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, i * ID_SPACING],
                )


def _use_the_site():
    people = make_personas()
    pair = make_active(people, people.cara, people.ana)
    other = make_active(people, people.dev, people.ben)
    chat = conversation_for_relationship(actor=people.cara, relationship=pair)
    first = message_send(actor=people.cara, conversation=chat, body="Can we talk about my boss?")
    reply = message_send(actor=people.ana, conversation=chat, body="Of course, tomorrow?")
    message_edit(actor=people.cara, message=first, body="Can we talk about my manager?")
    messages_page(viewer=people.ana, conversation=chat)
    notification_preference_set(actor=people.cara, email="daily")
    report = report_create(
        actor=people.cara, reason="other", note="Just testing", message=reply, conversation=chat
    )
    report_for_admin(viewer=people.coordinator, report=report)
    report_triage(actor=people.coordinator, report=report)
    report_note_add(actor=people.coordinator, report=report, body="Spoke to both")
    report_warn(actor=people.coordinator, report=report)
    report_close(actor=people.coordinator, report=report, outcome="action_taken")
    block_create(actor=people.dev, blocked=people.outsider)
    goal = goal_create(actor=people.cara, relationship=pair, title="Lead a team", description="x")
    goal_progress_add(actor=people.cara, goal=goal, body="Ran my first stand-up")
    done = milestone_add(actor=people.cara, goal=goal, title="Find a sponsor")
    milestone_set_done(actor=people.cara, milestone=done, done=True)
    goals_for(viewer=people.ana, relationship=pair)
    note_create(actor=people.ana, relationship=pair, body="Cara is anxious", shared=True)
    notes_for(viewer=people.cara, relationship=pair)
    slot = timezone.now() + timedelta(days=3)
    meeting = meeting_propose(actor=people.ana, relationship=pair, slots=[slot], agenda="Plan")
    meeting_accept(actor=people.cara, meeting=meeting, starts_at=slot)
    meetings_for(viewer=people.cara, relationship=pair)
    file = file_upload(
        actor=people.cara,
        fileobj=io.BytesIO(b"My CV, with my phone number\n"),
        declared_name="cv.txt",
        relationship=pair,
    )
    b"".join(file_content_for(viewer=people.ana, file=file))
    link, _token = share_link_create(actor=people.cara, file=file)
    download = share_link_download(link=link)
    b"".join(download.chunks)
    share_link_revoke(actor=people.cara, link=link)
    token, _secret = api_token_create(
        actor=people.dev, user=people.dev, name="cli", scope="read", days=30
    )
    api_token_revoke(actor=people.dev, token=token)
    calendar_feed_create(actor=people.ben)
    invitation_create(
        actor=people.org_admin,
        organization=people.org,
        email="new.mentee@demo.test",
        program=people.program,
        program_role="mentee",
    )
    relationship_end(actor=people.coordinator, relationship=other, reason="schedule")
    login_succeeded_record(user=people.cara, signup=False)
    login_failed_record(user=people.dev, locked_out=False)
    audit.seal()
    return people, pair, goal, file


def _text_forms(value) -> set[str]:
    if value is None or value == "":
        return set()
    if isinstance(value, uuid.UUID):
        return {str(value), value.hex}
    text = str(value).strip().lower()
    try:
        as_uuid = uuid.UUID(text)
    except ValueError:
        return {text}
    return {str(as_uuid), as_uuid.hex}


def _identifiers() -> dict[str, str]:
    """Every user id and other row id, every public id / UUID and every e-mail address in the
    database (text form → where it comes from), read with plain SQL."""
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.app_label in NOT_ABOUT_PEOPLE:
                continue
            for field in model._meta.concrete_fields:
                is_row_id = field.primary_key and isinstance(field, models.AutoField)
                is_user = isinstance(field, models.ForeignKey) and field.related_model is (
                    apps.get_model("accounts", "User")
                )
                if model is Organization and field.primary_key:
                    continue  # events carry their organization id on purpose (see below)
                if not (
                    is_row_id
                    or is_user
                    or isinstance(field, models.UUIDField | models.EmailField | models.SlugField)
                    or field.name == "public_id"
                ):
                    continue
                table, column = model._meta.db_table, field.column
                cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608 (model names)
                for (value,) in cursor.fetchall():
                    for form in _text_forms(value):
                        found[form] = f"{table}.{column}"
    return found


def _audit_values() -> list[tuple[int, str, str]]:
    """(event id, column, text) for every column and every extra value of every audit event."""
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    values = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM kernel_auditevent")  # noqa: S608
        for row in cursor.fetchall():
            record = dict(zip(columns, row, strict=True))
            for column, value in record.items():
                if column == "organization_id":
                    continue  # an organization, not a person: the auditor's per-org counts
                if column == "extra":
                    for key, item in _flatten(json.loads(value)):
                        values += [(record["id"], f"extra.{key}", t) for t in _text_forms(item)]
                else:
                    values += [(record["id"], column, t) for t in _text_forms(value)]
    return values


def _flatten(extra: dict):
    for key, value in extra.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


@pytest.mark.django_db
def test_a_copy_of_the_database_without_keys_joins_no_audit_event_to_anyone():
    _spread_ids()
    people, _pair, _goal, _file = _use_the_site()
    identifiers = _identifiers()
    values = _audit_values()

    # The test has something to find: many events, pointing at many things, and every kind of
    # identifier the attacker would join on.
    assert AuditEvent.objects.count() > 40
    assert AuditEvent.objects.exclude(target_id="").count() > 30
    assert people.cara.email in identifiers and str(people.cara.pk) in identifiers
    assert str(people.cara.public_id) in identifiers

    joined = [
        (event, column, identifiers[text]) for event, column, text in values if text in identifiers
    ]
    assert joined == []
    # Nor inside longer text (a purpose, a code): no address or public id anywhere in a row.
    long_ids = [i for i in identifiers if "@" in i or len(i) >= 32]
    assert not [(e, c) for e, c, text in values for i in long_ids if i in text and text != i]


@pytest.mark.django_db
def test_with_the_keys_the_kernel_finds_a_persons_events_and_names_who_acted():
    people, _pair, goal, file = _use_the_site()
    about_cara = audit.events_about(people.cara)
    actions = set(about_cara.values_list("action", flat=True))
    assert {"goal.create", "file.upload", "data.read", "message.send"} <= actions
    assert not about_cara.filter(subject=audit.pseudonym(people.dev)).exists()
    # One object's events, under the key of whom they are about.
    assert about_cara.filter(target_id=audit.target_pseudonym(people.cara, goal)).exists()
    assert about_cara.filter(target_id=audit.target_pseudonym(people.cara, file)).exists()
    assert not about_cara.filter(target_id=audit.target_pseudonym(people.dev, goal)).exists()
    # "Who read my data": the actors, recognised among the people who could have acted (her
    # mentor read her goals; the coordinator reviewed her safety report).
    reads = about_cara.filter(action__in=["data.read", "report.review"])
    candidates = [people.ana.pk, people.ben.pk, people.coordinator.pk]
    named = audit.resolve_actors(reads.values_list("actor", flat=True), candidates)
    assert set(named.values()) == {people.ana.pk, people.coordinator.pk}
    assert set(audit.events_by(people.ana).values_list("action", flat=True)) >= {
        "data.read",
        "note.create",
        "meeting.propose",
    }


@pytest.mark.django_db
def test_erasure_unlinks_a_person_from_their_events_and_from_what_they_touched():
    people, _pair, goal, _file = _use_the_site()
    count = audit.events_about(people.cara).count()
    goal_ref = audit.target_pseudonym(people.cara, goal)
    assert AuditEvent.objects.filter(target_id=goal_ref).exists()

    vault.shred(people.cara)

    assert not audit.events_about(people.cara).exists()
    assert audit.target_pseudonym(people.cara, goal) == audit.ERASED
    assert audit.pseudonym(people.cara) not in audit.resolve_actors(
        AuditEvent.objects.values_list("actor", flat=True), [people.cara.pk]
    )
    assert AuditEvent.objects.filter(target_id=goal_ref).count() >= 1  # rows stay, unlinkable
    assert count > 0
    assert audit.verify().ok


@pytest.mark.django_db
def test_an_event_about_nobody_uses_the_system_key_never_the_plain_identifier():
    ident = uuid.uuid4()
    event = audit.record(action="vault.kek_rotated", target=("messaging.conversation", ident))
    assert event.target_id == audit.target_pseudonym(None, ("messaging.conversation", ident))
    assert event.target_id not in (str(ident), ident.hex, "")
