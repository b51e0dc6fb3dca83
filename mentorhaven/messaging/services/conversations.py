"""Conversations: one per relationship, group conversations, read marks and expiry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.access import STARTED
from mentorhaven.messaging.models import (
    Conversation,
    ConversationMember,
    Notification,
)
from mentorhaven.messaging.services._common import conversation_link
from mentorhaven.programs.access import administered_programs, ensure_program_open
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@transaction.atomic
def conversation_for_relationship(*, actor: User, relationship: Relationship) -> Conversation:
    """The relationship's conversation, created the first time a participant opens it (lazily:
    the mentoring app does not need to know about messaging). Only once the relationship has
    started; a proposed or declined relationship has none."""
    if actor.pk not in relationship.participant_ids() or relationship.status not in STARTED:
        raise NotFound()
    existing = Conversation.objects.filter(relationship=relationship).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.RELATIONSHIP,
                program_id=relationship.program_id,
                relationship=relationship,
            )
    except IntegrityError:  # opened by the other participant at the same moment
        return Conversation.objects.get(relationship=relationship)
    ConversationMember.objects.bulk_create(
        [
            ConversationMember(conversation=conversation, user_id=user_id)
            for user_id in relationship.participant_ids()
        ]
    )
    audit.record(
        action="conversation.create",
        actor=actor,
        target=conversation,
        subject=relationship.mentee_id,
        purpose="Open the relationship's conversation",
        category="platform",
        organization=relationship.program.organization_id,
        extra={"relationship": relationship},  # stored as a keyed pseudonym
    )
    return conversation


@transaction.atomic
def group_conversation_create(
    *, actor: User, program: Program, title: str, members
) -> Conversation:
    """A group conversation of a group program, created by its admins, for members of it."""
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()
    ensure_program_open(program)
    if program.kind != Program.Kind.GROUP:
        raise ValidationFailed(_("Only group programs have group conversations."), code="not_group")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("Give the group a name of at most 200 characters."))
    member_ids = {m.pk for m in members}
    in_program = set(
        Membership.objects.filter(program=program, user_id__in=member_ids).values_list(
            "user_id", flat=True
        )
    )
    if not member_ids or member_ids - in_program:
        raise ValidationFailed(_("Every member must take part in the program."), code="not_member")
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.GROUP, program=program, title=title
    )
    ConversationMember.objects.bulk_create(
        [ConversationMember(conversation=conversation, user_id=uid) for uid in sorted(member_ids)]
    )
    audit.record(
        action="conversation.create",
        actor=actor,
        target=conversation,
        purpose="Start a group conversation",
        category="platform",
        organization=program.organization_id,
        extra={"members": len(member_ids)},
    )
    return conversation


def conversation_mark_read(*, actor: User, conversation: Conversation, seq: int) -> None:
    """Move the actor's last-read pointer forward (never back). Not audited: it is the reader's
    own bookkeeping, written on every view, and says nothing about anyone else."""
    seq = min(int(seq), conversation.last_seq)
    ConversationMember.objects.filter(
        conversation=conversation, user=actor, last_read_seq__lt=seq
    ).update(last_read_seq=seq)
    Notification.objects.filter(
        user=actor,
        kind=Notification.Kind.MESSAGE,
        link=conversation_link(conversation),
        read_at__isnull=True,
    ).update(read_at=timezone.now())
