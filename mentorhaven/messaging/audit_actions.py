"""Audit actions of messaging: conversations, messages, notifications, safety
(kernel/audit/actions.py)."""

from django.utils.translation import gettext_lazy as _

from mentorhaven.kernel.audit import declare

declare("conversation.create", category="platform", sentence=_("{actor} opened a conversation"))
declare(
    "conversation.expire",
    category="platform",
    sentence=_("{actor} deleted an archived conversation (retention)"),
)
declare("message.send", category="platform", sentence=_("{actor} sent a message"))
declare("message.edit", category="platform", sentence=_("{actor} edited a message"))
declare("message.delete", category="platform", sentence=_("{actor} deleted a message"))
declare(
    "notification_preference.set",
    category="platform",
    sentence=_("{actor} chose how often to get notification e-mails"),
)
declare("notification.email", category="platform", sentence=_("{actor} e-mailed you notifications"))
declare("block.create", category="platform", sentence=_("{actor} blocked messages from a person"))
declare("block.remove", category="platform", sentence=_("{actor} unblocked a person"))
declare("report.create", category="program", sentence=_("{actor} reported a safety concern"))
declare("report.resolve", category="program", sentence=_("{actor} closed a safety report"))
