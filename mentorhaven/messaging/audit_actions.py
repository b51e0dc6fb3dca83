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
# A safety case (messaging/services/cases.py). Triage, notes, escalation and the relationship
# ending are about the reporter; what is done to the reported person's account is about them,
# and says nothing of a report, its reason or its reporter.
declare("report.triage", category="program", sentence=_("{actor} took up your safety report"))
declare("report.note", category="program", sentence=_("{actor} noted on your safety report"))
declare(
    "report.end_relationship",
    category="program",
    sentence=_("{actor} ended a relationship after your safety report"),
)
declare(
    "report.escalate",
    category="program",
    sentence=_("{actor} passed your safety report to your organization"),
)
declare("safety.warn", category="program", sentence=_("{actor} sent you a warning about conduct"))
declare("safety.suspend", category="program", sentence=_("{actor} suspended your account"))
declare("safety.lift", category="program", sentence=_("{actor} lifted your account's suspension"))
# Reads (kernel/audit/recording.py ``record_access``): one event per page, poll, search or
# real-time connection, naming the writers whose messages were shown.
declare("message.read", category="platform", sentence=_("{actor} read your messages"))
# A safety report reviewed by a program admin. The two sides see different actions on purpose:
# the person who reported sees that their report was looked at; the person reported sees only
# that an admin reviewed one of their messages, never that it was reported, nor by whom.
declare(
    "report.review",
    category="platform",
    sentence=_("{actor}, a program admin, reviewed a message for safety"),
)
declare(
    "message.admin_review",
    category="platform",
    sentence=_("{actor}, a program admin, reviewed one of your messages"),
)
