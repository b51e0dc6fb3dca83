"""What a data export holds from the messaging app (privacy/export/registry.py).

The messages of every conversation the person may read (the same rule as the pages, so an
archive past its retention is not revived), whoever wrote them, and their own messages anywhere: a
conversation is shared by its participants, and the other side's messages are recorded as read
(once per person) when the export is built. Safety reports the person made are included; the
evidence kept with a report is the reported person's message and stays out (it is in the
conversation, if the reporter could read it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorhaven.messaging.access import visible_conversations
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    Message,
    Notification,
    NotificationPreference,
    Report,
    ReportEntry,
)
from mentorhaven.privacy.export.registry import Section, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

BATCH = 2000


def _conversations(user: User):
    """Conversations the person may read on the pages (``messaging.access``), and any other in
    which they wrote: their own messages are theirs wherever they are."""
    return Conversation.objects.filter(
        Q(pk__in=visible_conversations(user).values("pk"))
        | Q(pk__in=Message.objects.filter(author=user).values("conversation_id"))
    )


def conversation_rows(context):
    for conversation in _conversations(context.user).select_related("program").order_by("pk"):
        yield {
            "id": conversation.public_id,
            "kind": conversation.kind,
            "program": conversation.program.name,
            "title": conversation.title,
            "started": conversation.created_at,
            "closed": conversation.archived_at,
            "messages": conversation.last_seq,
        }


def message_rows(context):
    ids = list(_conversations(context.user).values_list("pk", flat=True))
    public = dict(Conversation.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    readable = visible_conversations(context.user).values("pk")
    messages = Message.objects.filter(
        Q(conversation_id__in=readable) | Q(author=context.user), conversation_id__in=ids
    ).order_by("conversation_id", "seq")
    for message in messages.iterator(chunk_size=BATCH):
        if not message.is_deleted:
            context.read_from(message.author_id, "platform")
        yield {
            "conversation": public[message.conversation_id],
            "number": message.seq,
            "author": context.name_of(message.author_id),
            "text": None if message.is_deleted else message.body,
            "sent": message.created_at,
            "edited": message.edited_at,
            "deleted": message.deleted_at,
        }


def safety_rows(context):
    user = context.user
    for report in Report.objects.filter(reporter=user).select_related("program"):
        yield {
            "record": "report_you_made",
            "program": report.program.name,
            "about": context.name_of(report.reported_user_id),
            "reason": report.reason,
            "your_note": report.note,
            "status": report.status,
            "when": report.created_at,
        }
    notes = ReportEntry.objects.filter(author=user, kind=ReportEntry.Kind.NOTE)
    for entry in notes.select_related("report__program"):
        yield {
            "record": "safety_case_note_you_wrote",
            "program": entry.report.program.name,
            "about": "",
            "reason": "",
            "your_note": entry.body,
            "status": "",
            "when": entry.created_at,
        }
    for block in Block.objects.filter(blocker=user):
        yield {
            "record": "person_you_blocked",
            "program": "",
            "about": context.name_of(block.blocked_id),
            "reason": "",
            "your_note": None,
            "status": "",
            "when": block.created_at,
        }


def notification_rows(context):
    user = context.user
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is not None:
        chosen = sorted((preference.channels or {}).items())
        yield {
            "record": "preference",
            "text": f"e-mail: {preference.email}; per kind: "
            + ", ".join(f"{kind}={channel}" for kind, channel in chosen),
            "link": "",
            "when": preference.last_digest_at,
            "read": None,
            "meeting_starts": None,
        }
    notices = Notification.objects.filter(user=user).order_by("created_at")
    for notice in notices.iterator(chunk_size=BATCH):
        yield {
            "record": "notification",
            "text": f"{notice.kind}: {notice.text}",
            "link": notice.link,
            "when": notice.created_at,
            "read": notice.read_at,
            "meeting_starts": notice.about_time,
        }


register(
    Section(
        key="conversations",
        title=_("Your conversations"),
        models=("messaging.Conversation", "messaging.ConversationMember"),
        rows=conversation_rows,
        source=_("Opened by MentorHaven for a relationship, or by a program admin for a group"),
        order=50,
    )
)
register(
    Section(
        key="messages",
        title=_("Messages of your conversations"),
        models=("messaging.Message",),
        rows=message_rows,
        source=_("Written by you and by the other people in your conversations"),
        order=51,
    )
)
register(
    Section(
        key="safety",
        title=_("Safety reports you made, notes you wrote on safety cases, people you blocked"),
        models=("messaging.Report", "messaging.ReportEntry", "messaging.Block"),
        rows=safety_rows,
        source=_("Made by you"),
        order=52,
    )
)
register(
    Section(
        key="notifications",
        title=_("Your notifications and e-mail preference"),
        models=("messaging.Notification", "messaging.NotificationPreference"),
        rows=notification_rows,
        source=_("Sent by MentorHaven; the preference is chosen by you"),
        order=53,
    )
)
