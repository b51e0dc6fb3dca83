"""Sending, editing and deleting messages."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied
from mentorhaven.mentoring.services import relationship_touch
from mentorhaven.messaging.models import (
    Conversation,
    ConversationMember,
    Message,
)
from mentorhaven.messaging.realtime import announce_on_commit
from mentorhaven.messaging.services._common import (
    _clean_body,
    _other_ids,
    _refuse_if_blocked,
    _require_writer,
)
from mentorhaven.messaging.services.notifications import _notify_new_message

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _next_seq(conversation: Conversation, *, author) -> int:
    """Take the conversation's next sequence number, and move the author's read pointer to it
    (one's own message is never unread). The UPDATE locks the row until commit, so concurrent
    senders queue here and the numbers have no gaps or repeats; the new value comes back from
    the same statement (RETURNING)."""
    conversation.last_seq = F("last_seq") + 1
    conversation.save(update_fields=["last_seq"])
    ConversationMember.objects.filter(conversation=conversation, user=author).update(
        last_read_seq=conversation.last_seq
    )
    return conversation.last_seq


TOUCH_EVERY = timedelta(minutes=5)  # idle detection counts days: no need to write every message


@transaction.atomic
def message_send(*, actor: User, conversation: Conversation, body: str) -> Message:
    """Append a message to a conversation the actor takes part in (and may write to)."""
    body = _clean_body(body)
    _require_writer(actor, conversation)
    others = _other_ids(actor, conversation)
    _refuse_if_blocked(actor, conversation, others)
    seq = _next_seq(conversation, author=actor)
    message = Message(conversation=conversation, seq=seq, author=actor, body=body)
    message.save(force_insert=True)
    relationship = conversation.relationship
    now = timezone.now()
    if relationship is not None and now - relationship.last_activity_at > TOUCH_EVERY:
        relationship_touch(relationship=relationship)
        relationship.last_activity_at = now
    _notify_new_message(actor, conversation, others)
    audit.record(
        action="message.send",
        actor=actor,
        target=message,
        subject=actor,
        purpose="Send a message",
        category="platform",
        organization=conversation.program.organization_id,
        extra={"conversation": conversation},  # stored as a keyed pseudonym
    )
    announce_on_commit(conversation.public_id, seq=seq)
    return message


@transaction.atomic
def message_edit(*, actor: User, message: Message, body: str) -> Message:
    """Change one's own message (not a deleted one, not in an archive)."""
    body = _clean_body(body)
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation__relationship", "conversation__program")
        .get(pk=message.pk)
    )
    if message.author_id != actor.pk:
        raise PermissionDenied()
    _require_writer(actor, message.conversation)
    # A block stops rewriting old messages too, not only sending new ones.
    _refuse_if_blocked(actor, message.conversation, _other_ids(actor, message.conversation))
    if message.is_deleted:
        raise Conflict(_("A deleted message cannot be edited."), code="deleted")
    message.body = body
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "edited_at"])
    audit.record(
        action="message.edit",
        actor=actor,
        target=message,
        subject=actor,
        purpose="Edit one's own message",
        category="platform",
        organization=message.conversation.program.organization_id,
    )
    announce_on_commit(message.conversation.public_id, message=message.public_id)
    return message


@transaction.atomic
def message_delete(*, actor: User, message: Message) -> Message:
    """Delete one's own message: the text is removed from the row (not just hidden) and a
    tombstone keeps its place, so the conversation still reads in order."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation__relationship", "conversation__program")
        .get(pk=message.pk)
    )
    if message.author_id != actor.pk:
        raise PermissionDenied()
    _require_writer(actor, message.conversation)
    if message.is_deleted:
        return message
    message.body = None
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "deleted_at"])
    audit.record(
        action="message.delete",
        actor=actor,
        target=message,
        subject=actor,
        purpose="Delete one's own message",
        category="platform",
        organization=message.conversation.program.organization_id,
    )
    announce_on_commit(message.conversation.public_id, message=message.public_id)
    return message
