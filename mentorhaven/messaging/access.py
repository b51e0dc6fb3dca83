"""Who may read or write a conversation, and what an admin may see of a safety report.

Relationship conversations derive their people from the relationship, every time: its two
participants, once it has started (active, paused, completed or ended early); only an active
one is writable (a paused one is read-only until a coordinator resumes it). A proposed or declined
relationship has no conversation, and nobody else — no program or organization admin, no
superuser — ever reaches one.

**The archive choice.** When a relationship ends, its conversation becomes a read-only archive
that *both* former participants may still read until the retention sweep deletes it. This is
wider than the rest of a relationship's inside (the mentor stops seeing the mentee's goals and
notes at the end): a conversation is correspondence both people wrote and received, like letters
each side keeps, and losing one's own half of a conversation at the moment a relationship ends
(possibly badly) would hurt the person who may most need the record. Writing is refused.

Group conversations take their people from member rows (``left_at`` empty), and are writable
until an admin archives them. A member who mentors in the group's program reads it only with a
current security training, as in a relationship.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from mentorhaven.gates.access import mentor_is_trained, mentor_trained_q
from mentorhaven.kernel.access import fetch, is_person, parse_public_id
from mentorhaven.kernel.errors import NotFound, PermissionDenied
from mentorhaven.mentoring.models import Relationship
from mentorhaven.messaging.models import Conversation, Message, Report
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Membership, OrgMembership

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

STARTED = (
    Relationship.Status.ACTIVE,
    Relationship.Status.PAUSED,  # readable, not writable (``is_read_only``)
    Relationship.Status.COMPLETED,
    Relationship.Status.ENDED_EARLY,
)


# The short names the message-send checks below use (see access_relationship_conversation).
_uuid = parse_public_id
_person = is_person


def readable_relationships(viewer: User) -> QuerySet[Relationship]:
    """Relationships whose conversation the viewer may read (see "the archive choice"). A
    mentor reads them only with a current security training (``gates.access``)."""
    if not _person(viewer):
        return Relationship.objects.none()
    return Relationship.objects.filter(
        Q(mentee=viewer) | (Q(mentor=viewer) & mentor_trained_q(viewer)), status__in=STARTED
    )


def visible_conversations(viewer: User) -> QuerySet[Conversation]:
    """Conversations the viewer may read: those of ``readable_relationships``, and the groups
    they are a member of — where mentees write too, so a member who is a mentor of the group's
    program reads it only with a current security training (``gates.access``), like a
    relationship's conversation."""
    if not _person(viewer):
        return Conversation.objects.none()
    mentors_here = Membership.objects.filter(
        program=OuterRef("program"), user=viewer, role=Membership.Role.MENTOR
    )
    return Conversation.objects.filter(
        Q(kind=Conversation.Kind.RELATIONSHIP, relationship__in=readable_relationships(viewer))
        | (
            Q(
                kind=Conversation.Kind.GROUP,
                members__user=viewer,
                members__left_at__isnull=True,
            )
            & (~Exists(mentors_here) | mentor_trained_q(viewer))
        )
    )


def is_read_only(conversation: Conversation) -> bool:
    relationship = conversation.relationship
    if relationship is not None:
        return relationship.status != Relationship.Status.ACTIVE
    return conversation.archived_at is not None


def access_conversation(viewer: User, public_id: Any, *, write: bool = False) -> Conversation:
    """The conversation if ``viewer`` takes part in it, else NotFound (also for a guessed id).

    ``write=True`` refuses an archive with PermissionDenied and a message saying why.
    """
    conversation = fetch(
        visible_conversations(viewer).select_related(
            "relationship__mentee", "relationship__mentor", "program"
        ),
        public_id,
    )
    if write and is_read_only(conversation):
        raise read_only_error(conversation)
    return conversation


def read_only_error(conversation: Conversation) -> PermissionDenied:
    """Why nobody may write here now: the relationship is paused, or it has ended."""
    relationship = conversation.relationship
    if relationship is not None and relationship.status == Relationship.Status.PAUSED:
        return PermissionDenied(
            _("This relationship is paused: you can read the conversation but not write in it."),
            code="relationship_paused",
        )
    return PermissionDenied(
        _("This conversation is a read-only archive: the relationship has ended."),
        code="conversation_archived",
    )


def access_relationship_for_messages(viewer: User, public_id: Any) -> Relationship:
    """A started relationship the viewer took part in (its conversation may not exist yet)."""
    return fetch(
        readable_relationships(viewer).select_related("program", "mentee", "mentor"),
        public_id,
    )


def access_relationship_conversation(
    viewer: User, relationship_id: Any
) -> tuple[Relationship, Conversation | None]:
    """A started relationship the viewer took part in, and its conversation if it exists yet.
    One query when the conversation exists (the common case), else NotFound or (it, None).

    The conversation is looked up by the relationship's id alone and the viewer is checked on
    the row it brings (participant, relationship started: the same rule as
    ``readable_relationships``); this runs on every message sent and read, and the plain lookup
    costs a fraction of the filtered one to build."""
    public_id = _uuid(relationship_id)
    found = list(
        Conversation.objects.filter(relationship__public_id=public_id).select_related(
            "relationship", "program"
        )[:1]
    )
    if found:
        conversation = found[0]
        relationship = conversation.relationship
        if relationship is None:  # a group conversation has no relationship
            raise NotFound()
        if (
            not _person(viewer)
            or viewer.pk not in (relationship.mentee_id, relationship.mentor_id)
            or relationship.status not in STARTED
            or (viewer.pk == relationship.mentor_id and not mentor_is_trained(viewer))
        ):
            # Refused the way an unknown id is, by the same lookup (it raises NotFound), so that
            # a stranger's real id costs what a random one does.
            access_relationship_for_messages(viewer, public_id)
            raise NotFound()  # not reached: that lookup refuses whom the row check refused
        if relationship.program_id == conversation.program_id:
            relationship.program = conversation.program  # the same row: spare a query later
        return relationship, conversation
    return access_relationship_for_messages(viewer, public_id), None


def access_message(viewer: User, public_id: Any, *, write: bool = False) -> Message:
    """A message of a conversation the viewer takes part in. Writing (edit, delete) is for its
    author only, and not in an archive."""
    message = fetch(
        Message.objects.filter(conversation__in=visible_conversations(viewer)).select_related(
            "conversation__relationship", "conversation__program", "author"
        ),
        public_id,
    )
    if write:
        if message.author_id != viewer.pk:
            raise PermissionDenied()
        if is_read_only(message.conversation):
            raise read_only_error(message.conversation)
    return message


def visible_reports(viewer: User) -> QuerySet[Report]:
    """Safety cases the viewer handles: those of the programs they run (program admins, org
    admins), and — once a case is escalated — those of the organizations where they are a
    security officer."""
    if not _person(viewer):
        return Report.objects.none()
    officer_of = OrgMembership.objects.filter(
        user=viewer, role=OrgMembership.Role.SECURITY_OFFICER
    ).values("organization_id")
    return Report.objects.filter(
        Q(program__in=administered_programs(viewer))
        | Q(escalated_at__isnull=False, program__organization_id__in=officer_of)
    )


def access_report(viewer: User, public_id: Any, *, write: bool = False) -> Report:
    """A safety case, for the admins of its program (program admins, org admins), and read-only
    for the organization's security officers once escalated. Anyone else — the reporter, the
    reported person, another program's admins — gets NotFound, as for a missing case."""
    if not _person(viewer):
        raise NotFound()
    return fetch(
        visible_reports(viewer).select_related(
            "program", "reporter", "reported_user", "message", "conversation"
        ),
        public_id,
        write=write,
        writable=Report.objects.filter(program__in=administered_programs(viewer)),
    )
