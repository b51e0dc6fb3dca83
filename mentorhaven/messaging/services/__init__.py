"""Every write of the messaging app: conversations, messages, blocks, reports, notifications.

Each service runs in one transaction, checks that the actor may do it, writes (message text is
encrypted under its author's key by the field), records one audit event with identifiers only,
and leaves real-time announcements and e-mails to ``transaction.on_commit``.
"""

from mentorhaven.messaging.services._common import ARCHIVED, MAX_BODY, MAX_NOTE, conversation_link
from mentorhaven.messaging.services.cases import (
    relationship_of,
    report_close,
    report_escalate,
    report_note_add,
    report_relationship_end,
    report_suspend,
    report_suspension_lift,
    report_triage,
    report_warn,
)
from mentorhaven.messaging.services.conversations import (
    conversation_for_relationship,
    conversation_mark_read,
    group_conversation_create,
)
from mentorhaven.messaging.services.messages import (
    TOUCH_EVERY,
    message_delete,
    message_edit,
    message_send,
)
from mentorhaven.messaging.services.notifications import (
    DEFAULT_EMAIL,
    NEW_MESSAGE_TEXT,
    email_preference,
    notification_channels,
    notification_email_send,
    notification_preference_set,
    notifications_mark_read,
)
from mentorhaven.messaging.services.safety import (
    block_create,
    block_remove,
    report_create,
)

__all__ = [
    "ARCHIVED",
    "DEFAULT_EMAIL",
    "MAX_BODY",
    "MAX_NOTE",
    "NEW_MESSAGE_TEXT",
    "TOUCH_EVERY",
    "block_create",
    "block_remove",
    "conversation_for_relationship",
    "conversation_link",
    "conversation_mark_read",
    "email_preference",
    "group_conversation_create",
    "message_delete",
    "message_edit",
    "message_send",
    "notification_channels",
    "notification_email_send",
    "notification_preference_set",
    "notifications_mark_read",
    "relationship_of",
    "report_close",
    "report_create",
    "report_escalate",
    "report_note_add",
    "report_relationship_end",
    "report_suspend",
    "report_suspension_lift",
    "report_triage",
    "report_warn",
]
