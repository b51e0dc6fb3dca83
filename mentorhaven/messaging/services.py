"""Every write of the messaging app: conversations, messages, blocks, reports, notifications.

Each service runs in one transaction, checks that the actor may do it, writes (message text is
encrypted under its author's key by the field), records one audit event with identifiers only,
and leaves real-time announcements and e-mails to ``transaction.on_commit``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.services import relationship_touch
from mentorhaven.messaging.access import STARTED, is_read_only
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    Notification,
    NotificationPreference,
    Report,
)
from mentorhaven.messaging.realtime import announce_on_commit
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, OrgMembership, Program

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


# --- conversations --------------------------------------------------------------------------------


@transaction.atomic
def conversation_for_relationship(*, actor, relationship: Relationship) -> Conversation:
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
def group_conversation_create(*, actor, program: Program, title: str, members) -> Conversation:
    """A group conversation of a group program, created by its admins, for members of it."""
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()
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


def _require_writer(actor, conversation: Conversation) -> None:
    relationship = conversation.relationship
    if relationship is not None:
        if actor.pk not in relationship.participant_ids():
            raise NotFound()
    elif not ConversationMember.objects.filter(
        conversation=conversation, user=actor, left_at__isnull=True
    ).exists():
        raise NotFound()
    if is_read_only(conversation):
        raise PermissionDenied(ARCHIVED, code="conversation_archived")


def _other_ids(actor, conversation: Conversation) -> list[int]:
    relationship = conversation.relationship
    if relationship is not None:
        return [pk for pk in relationship.participant_ids() if pk != actor.pk]
    return list(
        ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=actor)
        .values_list("user_id", flat=True)
    )


def _refuse_if_blocked(actor, conversation: Conversation, others: list[int]) -> None:
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


# --- messages ---------------------------------------------------------------------------------


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
def message_send(*, actor, conversation: Conversation, body: str) -> Message:
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
def message_edit(*, actor, message: Message, body: str) -> Message:
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
def message_delete(*, actor, message: Message) -> Message:
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


def conversation_mark_read(*, actor, conversation: Conversation, seq: int) -> None:
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


# --- notifications ------------------------------------------------------------------------------


def _role_word(user_id: int, conversation: Conversation) -> str:
    relationship = conversation.relationship
    if relationship is None:
        return "group"
    return "mentor" if user_id == relationship.mentor_id else "mentee"


NEW_MESSAGE_TEXT = {
    "mentor": _("You have a new message from your mentor"),
    "mentee": _("You have a new message from your mentee"),
    "group": _("You have a new message in a group conversation"),
}


def _notify_new_message(actor, conversation: Conversation, others: list[int]) -> None:
    """One unread notification per conversation and person: a burst of messages makes one
    notice (and at most one e-mail), not one per message. Never the content, never a name."""
    if not others:
        return
    blocked_by: set[int] = set()
    if conversation.kind == Conversation.Kind.GROUP:  # one-to-one blocks refused the send
        blocked_by = set(
            Block.objects.filter(blocker_id__in=others, blocked=actor).values_list(
                "blocker_id", flat=True
            )
        )
    link = conversation_link(conversation)
    # Usually the notice is already waiting: a burst of messages makes one.
    waiting = set(
        Notification.objects.filter(
            user_id__in=others,
            kind=Notification.Kind.MESSAGE,
            link=link,
            read_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    recipients = [uid for uid in others if uid not in waiting and uid not in blocked_by]
    if not recipients:
        return
    text = str(NEW_MESSAGE_TEXT[_role_word(actor.pk, conversation)])
    fresh = [
        Notification(user_id=uid, kind=Notification.Kind.MESSAGE, text=text, link=link)
        for uid in recipients
    ]
    Notification.objects.bulk_create(fresh)
    _email_soon([n.user_id for n in fresh])


def _email_soon(user_ids: list[int]) -> None:
    """Queue the e-mail of people who want it immediately (after commit)."""
    from mentorhaven.messaging.tasks import email_pending_notifications

    wanting = list(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, email=NotificationPreference.Email.IMMEDIATELY
        ).values_list("user_id", flat=True)
    )
    defaults = set(user_ids) - set(
        NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    if DEFAULT_EMAIL == NotificationPreference.Email.IMMEDIATELY:
        wanting += sorted(defaults)
    for user_id in wanting:
        transaction.on_commit(partial(email_pending_notifications.enqueue, user_id=user_id))


DEFAULT_EMAIL = NotificationPreference.Email.IMMEDIATELY


def email_preference(user) -> str:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email if pref else DEFAULT_EMAIL


@transaction.atomic
def notification_preference_set(*, actor, email: str) -> NotificationPreference:
    if email not in NotificationPreference.Email.values:
        raise ValidationFailed(_("Choose immediately, daily or never."), code="bad_choice")
    pref, _created = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email": email}
    )
    audit.record(
        action="notification_preference.set",
        actor=actor,
        target=pref,
        subject=actor,
        purpose="Choose how often to get notification e-mails",
        category="platform",
        extra={"frequency": email},
    )
    return pref


def notifications_mark_read(*, actor, notification: Notification | None = None) -> int:
    """Mark one (or all) of the actor's notifications read. Own bookkeeping: not audited."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_email_send(*, user, digest: bool = False) -> int:
    """E-mail ``user`` one message listing their unread notifications not yet e-mailed, and
    mark them e-mailed. Returns how many it covered (0: nothing sent).

    Idempotent: the rows are locked and marked in the same transaction as the send, so a re-run
    finds nothing left; if sending fails the transaction rolls back and the next run retries.
    (A crash between the mail server accepting the mail and the commit could send it twice:
    we prefer that to losing it.) The mail holds fixed sentences and links, never content.
    """
    from django.core.mail import send_mail

    pending = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(user=user, emailed_at__isnull=True, read_at__isnull=True)
        .order_by("created_at")
    )
    if not pending or not user.is_active:
        return 0
    lines, seen = [], set()
    for n in pending:
        if (n.text, n.link) not in seen:
            seen.add((n.text, n.link))
            lines.append(f"{n.text}:\n{settings.SITE_URL}{n.link}")
    subject = _("Your daily MentorHaven notifications") if digest else _("New on MentorHaven")
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        "\n\n".join(lines) + "\n\n" + _("Sign in to read them.") + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    now = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    if digest:
        NotificationPreference.objects.update_or_create(user=user, defaults={"last_digest_at": now})
    audit.record(
        action="notification.email",
        target=("accounts.user", user.public_id),
        subject=user,
        purpose="Send notification e-mail",
        category="platform",
        extra={"count": len(pending), "digest": digest},
    )
    return len(pending)


# --- safety --------------------------------------------------------------------------------------


@transaction.atomic
def block_create(*, actor, blocked) -> Block:
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
def block_remove(*, actor, blocked) -> int:
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
    actor,
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
        reason=reason,
        note=note or None,
        evidence=evidence,
    )
    admins = _report_admin_ids(conversation.program) - {person.pk}
    link = reverse("messaging:report_detail", kwargs={"report_id": report.public_id})
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                kind=Notification.Kind.REPORT,
                text=str(_("A safety report needs your attention")),
                link=link,
            )
            for uid in sorted(admins)
        ]
    )
    _email_soon(sorted(admins))
    audit.record(
        action="report.create",
        actor=actor,
        target=report,
        subject=person,
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


@transaction.atomic
def report_resolve(*, actor, report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not administered_programs(actor).filter(pk=report.program_id).exists():
        raise PermissionDenied()
    if report.status == Report.Status.RESOLVED:
        return report
    report.status = Report.Status.RESOLVED
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit.record(
        action="report.resolve",
        actor=actor,
        target=report,
        subject=report.reported_user_id,
        purpose="Close a safety report",
        category="program",
        organization=report.program.organization_id,
    )
    return report


# --- retention --------------------------------------------------------------------------------


@transaction.atomic
def conversation_expire(*, conversation: Conversation) -> int:
    """Delete an archived relationship conversation whose retention has passed (messages
    first, then the conversation). Reports keep their own copy of reported messages."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("relationship", "program")
        .get(pk=conversation.pk)
    )
    count = conversation.messages.count()
    public_id, relationship = conversation.public_id, conversation.relationship
    conversation.messages.all().delete()
    conversation.delete()
    audit.record(
        action="conversation.expire",
        target=("messaging.conversation", public_id),
        subject=relationship.mentee_id if relationship else None,
        purpose="Retention: archived conversation deleted",
        category="platform",
        organization=conversation.program.organization_id,
        extra={"messages": count},
    )
    return count
