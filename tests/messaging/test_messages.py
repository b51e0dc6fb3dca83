"""Conversations and messages: encryption under the author's key, edit/delete, unread counts,
the archive after a relationship ends, retention, search, group conversations, blocking."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_end, relationship_propose
from mentorhaven.messaging import selectors, services
from mentorhaven.messaging.access import access_conversation, access_message
from mentorhaven.messaging.models import Conversation, Message
from mentorhaven.programs.models import Membership, Program

from .conftest import raw_body

pytestmark = pytest.mark.django_db

SECRET = "I am thinking of quitting because of my manager"


def test_message_is_stored_as_ciphertext_under_the_authors_key(chat, personas):
    message = services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    stored = raw_body(message)
    assert stored and SECRET.encode() not in stored
    binding = Message._meta.get_field("body").binding(message)[1]
    assert vault.decrypt(personas.cara.pk, stored, binding) == SECRET.encode()
    with pytest.raises(vault.VaultError):
        vault.decrypt(personas.ana.pk, stored, binding)
    assert Message.objects.get(pk=message.pk).body == SECRET


def test_send_records_one_audit_event_with_identifiers_only(chat, personas):
    before = AuditEvent.objects.count()
    message = services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in events] == ["message.send"]
    event = events[0]
    assert event.actor == audit.pseudonym(personas.cara)
    assert event.target_id == audit.target_pseudonym(personas.cara, message)
    assert SECRET not in str(event.extra) and "quitting" not in event.purpose


def test_messages_are_numbered_without_gaps_and_counted_unread(chat, personas):
    for i in range(3):
        services.message_send(actor=personas.cara, conversation=chat, body=f"hello {i}")
    services.message_send(actor=personas.ana, conversation=chat, body="hi back")
    assert list(chat.messages.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4]
    chat.refresh_from_db()
    assert selectors.unread_count(viewer=personas.ana, conversation=chat) == 0  # she replied
    assert selectors.unread_count(viewer=personas.cara, conversation=chat) == 1
    services.conversation_mark_read(actor=personas.cara, conversation=chat, seq=4)
    assert selectors.unread_count(viewer=personas.cara, conversation=chat) == 0
    services.conversation_mark_read(actor=personas.cara, conversation=chat, seq=1)  # never back
    assert selectors.unread_count(viewer=personas.cara, conversation=chat) == 0


def test_inbox_lists_unread_counts_in_flat_queries(
    chat, other_chat, personas, django_assert_max_num_queries
):
    services.message_send(actor=personas.ana, conversation=chat, body="one")
    services.message_send(actor=personas.ana, conversation=chat, body="two")
    with django_assert_max_num_queries(2):
        summaries = selectors.conversations_for(viewer=personas.cara)
    assert [(s.conversation.pk, s.unread) for s in summaries] == [(chat.pk, 2)]


def test_author_edits_own_message_and_others_cannot(chat, personas):
    message = services.message_send(actor=personas.cara, conversation=chat, body="first draft")
    edited = services.message_edit(
        actor=personas.cara,
        message=access_message(personas.cara, message.public_id, write=True),
        body="second draft",
    )
    assert Message.objects.get(pk=edited.pk).body == "second draft" and edited.edited_at
    assert AuditEvent.objects.filter(action="message.edit").count() == 1
    with pytest.raises(PermissionDenied):
        access_message(personas.ana, message.public_id, write=True)
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=personas.ana, message=message, body="hijack")


def test_deleting_removes_the_ciphertext_and_leaves_a_tombstone(chat, personas):
    message = services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    services.message_delete(actor=personas.cara, message=message)
    assert raw_body(message) is None
    [view] = selectors.messages_page(viewer=personas.ana, conversation=chat)
    assert view.deleted and view.body == "" and view.seq == 1
    with pytest.raises(Exception, match="deleted"):
        services.message_edit(actor=personas.cara, message=message, body="again")
    assert AuditEvent.objects.filter(action="message.delete").count() == 1


@pytest.mark.parametrize("who", ["ben", "dev", "coordinator", "org_admin", "auditor", "outsider"])
def test_nobody_outside_the_relationship_reaches_its_conversation(chat, personas, who):
    message = services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    viewer = getattr(personas, who)
    with pytest.raises(NotFound):
        access_conversation(viewer, chat.public_id)
    with pytest.raises(NotFound):
        access_message(viewer, message.public_id)
    with pytest.raises(NotFound):
        selectors.messages_page(viewer=viewer, conversation=chat)
    with pytest.raises(NotFound):
        selectors.search_messages(viewer=viewer, conversation=chat, query="manager")
    with pytest.raises(NotFound):
        services.message_send(actor=viewer, conversation=chat, body="let me in")


def test_proposed_relationship_has_no_conversation(personas):
    proposed = relationship_propose(
        actor=personas.coordinator,
        program=personas.program,
        mentee=personas.dev,
        mentor=personas.ana,
    )
    with pytest.raises(NotFound):
        services.conversation_for_relationship(actor=personas.dev, relationship=proposed)


def test_ended_relationship_leaves_a_read_only_archive_for_both(chat, pair, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="thank you for everything")
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    for person in (personas.cara, personas.ana):
        conversation = access_conversation(person, chat.public_id)
        assert [m.body for m in selectors.messages_page(viewer=person, conversation=conversation)]
        with pytest.raises(PermissionDenied) as refused:
            access_conversation(person, chat.public_id, write=True)
        assert refused.value.code == "conversation_archived"
        assert "read-only archive" in refused.value.message
        with pytest.raises(PermissionDenied):
            services.message_send(actor=person, conversation=conversation, body="one more")


def test_archive_is_deleted_when_retention_passes(chat, pair, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="bye")
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    call_command("retention", "sweep")
    assert Conversation.objects.filter(pk=chat.pk).exists()  # still within the archive period
    with time_machine.travel(timezone.now() + timedelta(days=24 * 30 + 1)):
        call_command("retention", "sweep")
        call_command("retention", "sweep")  # idempotent
    assert not Conversation.objects.filter(pk=chat.pk).exists()
    assert not Message.objects.filter(conversation_id=chat.pk).exists()
    sweeps = AuditEvent.objects.filter(action="retention.sweep").order_by("pk")
    assert [e.extra["messages"] for e in sweeps] == [0, 1, 0]


def test_active_conversation_is_never_swept(chat, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="still here")
    with time_machine.travel(timezone.now() + timedelta(days=4000)):
        call_command("retention", "sweep")
    assert Conversation.objects.filter(pk=chat.pk).exists()


def test_search_decrypts_and_filters_within_the_conversation_only(chat, other_chat, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="Salary negotiation tips?")
    services.message_send(actor=personas.ana, conversation=chat, body="Let us talk on Friday")
    services.message_send(actor=personas.dev, conversation=other_chat, body="salary question too")
    found = selectors.search_messages(viewer=personas.ana, conversation=chat, query="SALARY")
    assert [m.body for m in found] == ["Salary negotiation tips?"]
    assert selectors.search_messages(viewer=personas.ana, conversation=chat, query=" ") == []


def test_empty_and_oversized_messages_are_refused(chat, personas):
    with pytest.raises(ValidationFailed):
        services.message_send(actor=personas.cara, conversation=chat, body="   ")
    with pytest.raises(ValidationFailed):
        services.message_send(actor=personas.cara, conversation=chat, body="x" * 10_001)


# --- blocking ----------------------------------------------------------------------------------


def test_blocked_person_cannot_message_you(chat, personas):
    services.block_create(actor=personas.cara, blocked=personas.ana)
    with pytest.raises(PermissionDenied) as refused:
        services.message_send(actor=personas.ana, conversation=chat, body="hello?")
    assert refused.value.code == "blocked"
    with pytest.raises(PermissionDenied) as own:
        services.message_send(actor=personas.cara, conversation=chat, body="hi")
    assert own.value.code == "you_blocked"
    services.block_remove(actor=personas.cara, blocked=personas.ana)
    services.message_send(actor=personas.ana, conversation=chat, body="hello again")
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="block.")] == [
        "block.create",
        "block.remove",
    ]


# --- group conversations -------------------------------------------------------------------------


@pytest.fixture
def group(personas):
    program = Program.objects.create(
        organization=personas.org, name="Circle", slug="circle", kind=Program.Kind.GROUP
    )
    Membership.objects.create(
        program=program, user=personas.coordinator, role=Membership.Role.PROGRAM_ADMIN
    )
    for person, role in (
        (personas.ana, Membership.Role.MENTOR),
        (personas.cara, Membership.Role.MENTEE),
        (personas.dev, Membership.Role.MENTEE),
        (personas.ben, Membership.Role.MENTOR),
    ):
        Membership.objects.create(program=program, user=person, role=role)
    return services.group_conversation_create(
        actor=personas.coordinator,
        program=program,
        title="Spring circle",
        members=[personas.ana, personas.cara, personas.dev],
    )


def test_group_conversation_is_for_its_members_only(group, personas):
    services.message_send(actor=personas.ana, conversation=group, body="welcome all")
    for member in (personas.cara, personas.dev):
        [m] = selectors.messages_page(
            viewer=member, conversation=access_conversation(member, group.public_id)
        )
        assert m.body == "welcome all"
    for outsider in (personas.ben, personas.coordinator, personas.outsider):
        with pytest.raises(NotFound):
            access_conversation(outsider, group.public_id)


def test_only_group_programs_get_group_conversations(personas):
    with pytest.raises(ValidationFailed):
        services.group_conversation_create(
            actor=personas.coordinator, program=personas.program, title="x", members=[personas.ana]
        )
    with pytest.raises(PermissionDenied):
        services.group_conversation_create(
            actor=personas.cara, program=personas.program, title="x", members=[personas.ana]
        )


def test_in_a_group_a_blocked_persons_messages_are_hidden_from_the_blocker(group, personas):
    services.block_create(actor=personas.cara, blocked=personas.dev)
    services.message_send(actor=personas.dev, conversation=group, body="from dev")
    services.message_send(actor=personas.ana, conversation=group, body="from ana")
    seen = [m.body for m in selectors.messages_page(viewer=personas.cara, conversation=group)]
    assert seen == ["from ana"]
    assert len(selectors.messages_page(viewer=personas.ana, conversation=group)) == 2


def test_relationship_status_is_untouched_by_messaging(chat, pair, personas):
    services.message_send(actor=personas.cara, conversation=chat, body="hi")
    pair.refresh_from_db()
    assert pair.status == Relationship.Status.ACTIVE
