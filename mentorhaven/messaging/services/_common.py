"""What the messaging services share: limits, text cleaning, links and the writer check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.messaging.access import is_read_only, read_only_error
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    ConversationMember,
)
from mentorhaven.programs.access import ensure_program_open

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MAX_BODY = 10_000


MAX_NOTE = 2_000


ARCHIVED = _("This conversation is a read-only archive: the relationship has ended.")


def _clean_body(body: str | None, *, limit: int = MAX_BODY, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationFailed(_("Write something first."), code="empty")
    if len(body) > limit:
        raise ValidationFailed(
            _("A message may be at most %(n)d characters.") % {"n": limit}, code="too_long"
        )
    if "\x00" in body:
        raise ValidationFailed(_("The text contains characters that cannot be stored."))
    return body


def conversation_link(conversation: Conversation) -> str:
    return reverse("messaging:conversation", kwargs={"conversation_id": conversation.public_id})


def _require_writer(actor: User, conversation: Conversation) -> None:
    relationship = conversation.relationship
    if relationship is not None:
        if actor.pk not in relationship.participant_ids():
            raise NotFound()
    elif not ConversationMember.objects.filter(
        conversation=conversation, user=actor, left_at__isnull=True
    ).exists():
        raise NotFound()
    if is_read_only(conversation):
        raise read_only_error(conversation)
    ensure_program_open(conversation.program_id)


def _other_ids(actor: User, conversation: Conversation) -> list[int]:
    relationship = conversation.relationship
    if relationship is not None:
        return [pk for pk in relationship.participant_ids() if pk != actor.pk]
    return list(
        ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=actor)
        .values_list("user_id", flat=True)
    )


def _refuse_if_blocked(actor: User, conversation: Conversation, others: list[int]) -> None:
    """In a one-to-one conversation a block stops messages both ways. In a group, messages of
    a blocked person are hidden from the one who blocked them (selectors) instead."""
    if conversation.kind != Conversation.Kind.RELATIONSHIP or not others:
        return
    people = [actor.pk, *others]  # nobody can block themselves: any row here is between two
    blocks = Block.objects.filter(blocker_id__in=people, blocked_id__in=people).values_list(
        "blocker_id", flat=True
    )
    for blocker_id in blocks:
        if blocker_id == actor.pk:
            raise PermissionDenied(
                _("You blocked this person. Unblock them to write to them."), code="you_blocked"
            )
        raise PermissionDenied(_("This person is not accepting messages from you."), code="blocked")
