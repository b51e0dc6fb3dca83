"""Reads of the messaging app. Every function takes the viewer; callers have passed an
``access_*`` helper, and the selectors that return message text check again.

Every read of messages is on the record: one event per page, poll, search or real-time
connection (``record_reads``), naming each writer whose messages were shown, not one per message
— so the writer's "Who accessed my data" says "Ana Mentor read your messages" once per look.
A program admin opening a reported message is recorded differently for the two sides
(``report_for_admin``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet

from mentorhaven.kernel import audit
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.access import (
    access_conversation,
    is_read_only,
    visible_conversations,
    visible_reports,
)
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    Notification,
    Report,
)
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import OrgMembership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class MessageView:
    """A message as a reader sees it: a tombstone has no body."""

    id: str
    seq: int
    author_id: str
    author_name: str
    mine: bool
    body: str
    created_at: datetime
    edited: bool
    deleted: bool

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "seq": self.seq,
            "author": {"id": self.author_id, "display_name": self.author_name},
            "mine": self.mine,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "edited": self.edited,
            "deleted": self.deleted,
        }


def view_of(message: Message, viewer: User) -> MessageView:
    deleted = message.is_deleted
    body = "" if deleted else (message.body or "")
    return MessageView(
        id=str(message.public_id),
        seq=message.seq,
        author_id=str(message.author.public_id),
        author_name=message.author.name,
        mine=message.author_id == viewer.pk,
        body=str(body),
        created_at=message.created_at,
        edited=message.edited_at is not None,
        deleted=deleted,
    )


def _readable(viewer: User, conversation: Conversation) -> QuerySet[Message]:
    qs = Message.objects.filter(conversation=conversation).select_related("author")
    if conversation.kind == Conversation.Kind.GROUP:
        # In a group, what people you blocked write is hidden from you.
        qs = qs.exclude(author__in=Block.objects.filter(blocker=viewer).values("blocked"))
    return qs


READ_PURPOSES = {
    "page": "Read a conversation",
    "poll": "Receive new messages in a conversation",
    "search": "Search a conversation",
    "api": "Read a conversation through the API",
    "realtime": "Receive messages in real time",
}


def record_reads(
    *, viewer: User, conversation: Conversation, writers: Iterable[int], via: str = "page"
) -> None:
    """One event for one look at a conversation, naming every writer (other than the viewer)
    whose messages it showed; nothing when it showed none. One INSERT, whatever the count."""
    others = sorted(set(writers) - {viewer.pk})
    if others:
        audit.record_access(
            viewer=viewer,
            subjects=others,
            action="message.read",
            category="platform",
            target=conversation,
            purpose=READ_PURPOSES[via],
            actor_role=_reader_role(viewer, conversation),
            organization=conversation.program.organization_id if conversation.program_id else None,
        )


def record_realtime_reads(
    *, viewer: User, conversation: Conversation, authors: Iterable[str]
) -> None:
    """A real-time connection delivered messages of ``authors`` (public ids) for the first time
    on this connection: one read naming them (the socket records once per writer and
    connection, not once per message)."""
    writers = get_user_model().objects.filter(public_id__in=list(authors)).values_list("pk")
    record_reads(
        viewer=viewer,
        conversation=conversation,
        writers={pk for (pk,) in writers},
        via="realtime",
    )


def _reader_role(viewer: User, conversation: Conversation) -> str:
    r = conversation.relationship
    if r is None:
        return "member"
    return "mentor" if viewer.pk == r.mentor_id else "mentee"


def messages_page(
    *,
    viewer: User,
    conversation: Conversation,
    after: int | None = None,
    before: int | None = None,
    limit: int = DEFAULT_LIMIT,
    via: str | None = "page",
) -> list[MessageView]:
    """Messages in ``seq`` order. ``after=n``: the first ``limit`` with seq > n (polling and
    catching up: each message exactly once). ``before=n``: the ``limit`` just before n (older
    history). Neither: the newest ``limit``. Access is checked again here: a socket or a poll
    that outlives someone's access gets NotFound."""
    access_conversation(viewer, conversation.public_id)
    limit = max(1, min(int(limit), MAX_LIMIT))
    qs = _readable(viewer, conversation)
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[:limit])
    else:
        if before is not None:
            qs = qs.filter(seq__lt=before)
        rows = list(qs.order_by("-seq")[:limit])[::-1]
    if via is not None:  # None: the caller records the read itself (a real-time connection)
        record_reads(
            viewer=viewer,
            conversation=conversation,
            writers={m.author_id for m in rows if not m.is_deleted},
            via=via,
        )
    return [view_of(m, viewer) for m in rows]


def message_view(*, viewer: User, conversation: Conversation, message_id) -> MessageView | None:
    """One message (after an edit or delete), or None if the viewer may not see it."""
    access_conversation(viewer, conversation.public_id)
    message = _readable(viewer, conversation).filter(public_id=message_id).first()
    return view_of(message, viewer) if message else None


def search_messages(
    *, viewer: User, conversation: Conversation, query: str, limit: int = 50
) -> list[MessageView]:
    """Messages of one conversation whose text contains ``query`` (case-insensitive), newest
    first. Recorded as one read naming the writers of the messages found.

    The database holds only ciphertext, so it cannot search: this decrypts the conversation's
    messages in Python and filters them, in batches. That is linear in the conversation's length
    — fine for a mentoring conversation (thousands of messages, not millions) and the price of
    never keeping a plaintext index, which would be a second, unencrypted copy of everything.
    """
    access_conversation(viewer, conversation.public_id)
    needle = (query or "").strip().casefold()
    if not needle:
        return []
    found: list[MessageView] = []
    found_rows: list[Message] = []
    qs = _readable(viewer, conversation).filter(deleted_at__isnull=True).order_by("-seq")
    for message in qs.iterator(chunk_size=500):
        body = cast("str | None", message.body)
        if body is None or is_unavailable(body):
            continue
        if needle in body.casefold():
            found.append(view_of(message, viewer))
            found_rows.append(message)
            if len(found) >= limit:
                break
    record_reads(
        viewer=viewer,
        conversation=conversation,
        writers={message.author_id for message in found_rows},
        via="search",
    )
    return found


@dataclass(frozen=True)
class ConversationSummary:
    conversation: Conversation
    title: str
    unread: int
    read_only: bool


def conversations_for(*, viewer: User) -> list[ConversationSummary]:
    """The viewer's conversations with their unread counts (messages above the viewer's
    last-read pointer), newest activity first. Two queries whatever the number."""
    conversations = list(
        visible_conversations(viewer)
        .select_related("relationship__mentee", "relationship__mentor", "program")
        .distinct()
        .order_by("-last_seq", "-created_at")
    )
    pointers = dict(
        ConversationMember.objects.filter(user=viewer, conversation__in=conversations).values_list(
            "conversation_id", "last_read_seq"
        )
    )
    result = []
    for c in conversations:
        r = c.relationship
        if r is not None:
            other = r.mentor if viewer.pk == r.mentee_id else r.mentee
            title = f"{other.name} · {c.program.name}"
        else:
            title = c.title
        result.append(
            ConversationSummary(
                c, title, max(0, c.last_seq - pointers.get(c.pk, 0)), is_read_only(c)
            )
        )
    return result


def unread_count(*, viewer: User, conversation: Conversation) -> int:
    pointer = (
        ConversationMember.objects.filter(user=viewer, conversation=conversation)
        .values_list("last_read_seq", flat=True)
        .first()
    )
    return max(0, conversation.last_seq - (pointer or 0))


def notifications_for(*, viewer: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=viewer)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at")


def unread_notification_count(*, viewer: User) -> int:
    """The number shown beside "Notifications" in the navigation (one indexed count)."""
    return Notification.objects.filter(user=viewer, read_at__isnull=True).count()


def blocked_people(*, viewer: User) -> set[int]:
    return set(Block.objects.filter(blocker=viewer).values_list("blocked_id", flat=True))


# --- reports (for admins) ---------------------------------------------------------------------


def reports_for_admin(
    *, viewer: User, status: str | None = None, program: Program | None = None
) -> QuerySet[Report]:
    """Safety cases the viewer handles (``visible_reports``), newest first: metadata only."""
    qs = visible_reports(viewer).select_related("program", "reporter", "reported_user")
    if status:
        qs = qs.filter(status=status)
    if program is not None:
        qs = qs.filter(program=program)
    return qs.order_by("-created_at")


def report_programs(*, viewer: User) -> QuerySet[Program]:
    """The programs whose cases the viewer handles, for the list's filter."""
    return Program.objects.filter(
        Q(pk__in=visible_reports(viewer).values("program_id"))
        | Q(pk__in=administered_programs(viewer).values("pk"))
    ).order_by("name")


@dataclass(frozen=True)
class CaseEntry:
    kind: str
    label: str
    author: str
    created_at: datetime
    body: str  # a note's text; empty for an action


@dataclass(frozen=True)
class ReportView:
    report: Report
    note: str
    evidence: str | None  # the reported message only; None for a report about a person
    entries: list[CaseEntry]
    can_act: bool  # runs the program (an escalated case's officers only read it)
    can_lift: bool  # an org admin of the case's organization, while the account is suspended
    can_end_relationship: bool  # the reported conversation's relationship is still open


@transaction.atomic
def report_for_admin(*, viewer: User, report: Report) -> ReportView:
    """What an admin sees of a report: the reason, the reporter's note, and the one reported
    message (the copy taken when it was reported). Nothing else of the conversation is shown.

    Both reads are recorded, differently for each side. The reported person's log says only
    that a program admin reviewed one of their messages (``message.admin_review``): no reason,
    no report, no reporter — the target is the message itself. The reporter's log says that a
    program admin reviewed a message for safety (``report.review``). Case notes, under their
    authors' keys, are shown with the case, under the same record."""
    organization = report.program.organization_id
    can_act = administered_programs(viewer).filter(pk=report.program_id).exists()
    role = "program_admin" if can_act else "security_officer"
    evidence = None
    if report.evidence is not None:
        evidence = str(report.evidence)
        audit.record_access(
            viewer=viewer,
            subject=report.reported_user,
            action="message.admin_review",
            category="platform",
            target=report.message or ("messaging.message", ""),
            purpose="Review a message",
            actor_role=role,
            organization=organization,
        )
    note = ""
    if report.note:
        note = str(report.note)
    audit.record_access(
        viewer=viewer,
        subject=report.reporter,
        action="report.review",
        category="platform",
        target=report,
        purpose="Review a safety report",
        actor_role=role,
        organization=organization,
    )
    if is_unavailable(report.note) or is_unavailable(report.evidence):
        # A person the report is about was erased: the evidence lives on in the safeguarding
        # case sealed before their key was shredded (privacy/erasure/safeguarding.py).
        from mentorhaven.privacy.erasure.safeguarding import case_evidence_for

        kept = case_evidence_for(viewer=viewer, report=report)
        if kept is not None:
            note = kept.note if is_unavailable(report.note) else note
            evidence = kept.evidence if is_unavailable(report.evidence) else evidence
    is_org_admin = OrgMembership.objects.filter(
        user=viewer, organization_id=organization, role=OrgMembership.Role.ORG_ADMIN
    ).exists()
    return ReportView(
        report=report,
        note=note,
        evidence=evidence,
        entries=_case_entries(report),
        can_act=can_act,
        can_lift=is_org_admin and report.is_suspending,
        can_end_relationship=_open_relationship(report),
    )


def _open_relationship(report: Report) -> bool:
    conversation = report.conversation
    relationship = conversation.relationship if conversation is not None else None
    return relationship is not None and relationship.status in (
        Relationship.Status.ACTIVE,
        Relationship.Status.PROPOSED,
    )


def _case_entries(report: Report) -> list[CaseEntry]:
    entries = []
    for entry in report.entries.select_related("author"):
        body = "" if entry.body is None or is_unavailable(entry.body) else str(entry.body)
        entries.append(
            CaseEntry(
                kind=entry.kind,
                label=entry.get_kind_display(),
                author=entry.author.name if entry.author is not None else "",
                created_at=entry.created_at,
                body=body,
            )
        )
    return entries
