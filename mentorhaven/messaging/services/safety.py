"""Blocks and reports: a person stops someone writing to them, or tells the program's admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    Notification,
    Report,
)
from mentorhaven.messaging.notices import notify
from mentorhaven.messaging.services._common import MAX_NOTE, _clean_body
from mentorhaven.programs.models import Membership, OrgMembership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@transaction.atomic
def block_create(*, actor: User, blocked) -> Block:
    if blocked.pk == actor.pk:
        raise ValidationFailed(_("You cannot block yourself."), code="self")
    block, created = Block.objects.get_or_create(blocker=actor, blocked=blocked)
    if created:
        audit.record(
            action="block.create",
            actor=actor,
            target=("accounts.user", blocked.public_id),
            subject=actor,
            purpose="Stop messages from a person",
            category="platform",
        )
    return block


@transaction.atomic
def block_remove(*, actor: User, blocked) -> int:
    deleted, _rows = Block.objects.filter(blocker=actor, blocked=blocked).delete()
    if deleted:
        audit.record(
            action="block.remove",
            actor=actor,
            target=("accounts.user", blocked.public_id),
            subject=actor,
            purpose="Allow messages from a person again",
            category="platform",
        )
    return deleted


def _report_admin_ids(program: Program) -> set[int]:
    admins = set(
        Membership.objects.filter(program=program, role=Membership.Role.PROGRAM_ADMIN).values_list(
            "user_id", flat=True
        )
    )
    admins |= set(
        OrgMembership.objects.filter(
            organization_id=program.organization_id, role=OrgMembership.Role.ORG_ADMIN
        ).values_list("user_id", flat=True)
    )
    return admins


@transaction.atomic
def report_create(
    *,
    actor: User,
    reason: str,
    note: str = "",
    message: Message | None = None,
    person=None,
    conversation: Conversation | None = None,
) -> Report:
    """Report a message (the caller passed ``access_message``) or a person met in a
    conversation (the caller passed ``access_conversation``). The program's admins are told
    that a report exists; the report page shows them only the reported message."""
    if reason not in Report.Reason.values:
        raise ValidationFailed(_("Choose a reason."), code="bad_reason")
    note = _clean_body(note, limit=MAX_NOTE, required=False)
    evidence = None
    if message is not None:
        conversation = message.conversation
        person = message.author
        if not message.is_deleted and not is_unavailable(message.body):
            evidence = message.body
    if conversation is None or person is None:
        raise ValidationFailed(_("Say what you are reporting."), code="nothing_reported")
    if person.pk == actor.pk:
        raise ValidationFailed(_("You cannot report yourself."), code="self")
    if person.pk not in _people_of(conversation):
        raise NotFound()
    report = Report.objects.create(
        program=conversation.program,
        reporter=actor,
        reported_user=person,
        message=message,
        conversation=conversation,
        reason=reason,
        note=note or None,
        evidence=evidence,
    )
    admins = _report_admin_ids(conversation.program) - {person.pk}
    link = reverse("messaging:report_detail", kwargs={"report_id": report.public_id})
    notify(user_ids=admins, kind=Notification.Kind.REPORT, link=link)
    audit.record(
        action="report.create",
        actor=actor,
        target=report,
        # About the reporter, never the person reported: "Who accessed my data" must not tell
        # anyone that they were reported, nor by whom.
        subject=actor,
        purpose="Report a safety concern",
        category="program",
        organization=conversation.program.organization_id,
        extra={"reason": reason, "kind": "message" if message else "person"},
    )
    return report


def _people_of(conversation: Conversation) -> set[int]:
    if conversation.relationship is not None:
        return set(conversation.relationship.participant_ids())
    return set(
        ConversationMember.objects.filter(conversation=conversation).values_list(
            "user_id", flat=True
        )
    )
