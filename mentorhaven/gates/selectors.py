"""Reads of the gates: agreements to show, a person's training state, completion figures for
coordinators, break-glass lists, and reading protected content under an open grant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet

from mentorhaven.gates import domain
from mentorhaven.gates.access import (
    breakglass_programs,
    breakglass_subjects,
    current_training,
    visible_grants,
)
from mentorhaven.gates.models import AgreementVersion, BreakGlassGrant, TrainingCompletion
from mentorhaven.kernel import audit
from mentorhaven.mentoring.models import Goal, Note, Relationship
from mentorhaven.messaging.models import Message
from mentorhaven.programs.models import Membership, Program

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def agreement_history(*, program: Program) -> QuerySet[AgreementVersion]:
    """Versions of a program's agreement, newest first, with how many accepted each."""
    from django.db.models import Count

    return AgreementVersion.objects.filter(program=program).annotate(accepted=Count("acceptances"))


def training_state(*, viewer: User) -> TrainingCompletion | None:
    """The viewer's newest completion that still counts, or None."""
    return current_training(viewer).order_by("-passed_at").first()


def training_due(*, viewer: User) -> datetime | None:
    state = training_state(viewer=viewer)
    return domain.training_due_at(state.passed_at) if state else None


def training_figures(*, program: Program) -> domain.CompletionFigures:
    """How many of the program's mentors have a current training: two counts, suppressed
    below the program's minimum group size. No names."""
    mentors = Membership.objects.filter(program=program, role=Membership.Role.MENTOR)
    total = mentors.count()
    trained = (
        TrainingCompletion.objects.filter(
            user_id__in=mentors.values("user_id"),
            passed_at__gte=domain.training_valid_since(_now()),
        )
        .values("user_id")
        .distinct()
        .count()
    )
    size = (program.settings or {}).get("min_group_size", domain.DEFAULT_MIN_GROUP_SIZE)
    return domain.completion_figures(total, trained, min_group_size=size)


def _now():
    from django.utils import timezone

    return timezone.now()


def grants_for(*, viewer: User) -> QuerySet[BreakGlassGrant]:
    """Grants of the viewer's organizations, for the break-glass page (metadata only)."""
    return visible_grants(viewer).select_related(
        "subject", "requested_by", "approved_by", "organization"
    )


# Offered at once on the request form: enough to pick from, small enough for any program size.
CHOICES_SHOWN = 50
QUERY_MAX = 100


@dataclass
class BreakGlassChoices:
    """What the request form offers: the people matching a search (at most ``CHOICES_SHOWN``),
    their relationships in the admin's programs, how many people a request may be about in
    all, and the querysets a submitted choice is checked against (one query each)."""

    query: str
    people: list[Any]
    relationships: list[Relationship]
    total: int
    allowed_people: QuerySet
    allowed_relationships: QuerySet[Relationship]


def breakglass_choices(*, viewer: User, organization, query: str = "") -> BreakGlassChoices:
    """The request form's choices for ``viewer``, an admin of ``organization``: only mentors
    and mentees of the programs they run there (``access.breakglass_subjects``), narrowed by
    ``query`` (part of a name or e-mail address). A handful of queries and at most
    ``CHOICES_SHOWN`` people, whether the programs hold twenty participants or twenty thousand."""
    query = (query or "").strip()[:QUERY_MAX]
    allowed = breakglass_subjects(viewer, organization.pk)
    found = allowed
    if query:
        found = found.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    people = list(
        found.order_by("display_name", "email", "pk").only(
            "pk", "public_id", "display_name", "email"
        )[:CHOICES_SHOWN]
    )
    programs = breakglass_programs(viewer, organization.pk)
    in_programs = Relationship.objects.filter(program__in=programs)
    shown = [p.pk for p in people]
    relationships = list(
        in_programs.filter(Q(mentee_id__in=shown) | Q(mentor_id__in=shown))
        .select_related("mentee", "mentor", "program")
        .order_by("mentee__display_name", "mentor__display_name", "pk")[: CHOICES_SHOWN * 4]
    )
    return BreakGlassChoices(
        query=query,
        people=people,
        relationships=relationships,
        total=allowed.count(),
        allowed_people=allowed,
        allowed_relationships=in_programs,
    )


# --- reading under a grant ---------------------------------------------------------------------


def relationships_in_scope(grant: BreakGlassGrant) -> QuerySet[Relationship]:
    """The relationships a grant opens, always within its organization."""
    inside = Relationship.objects.filter(program__organization_id=grant.organization_id)
    if grant.relationship_id is not None:
        return inside.filter(pk=grant.relationship_id)
    return inside.filter(Q(mentee_id=grant.subject_id) | Q(mentor_id=grant.subject_id))


@dataclass
class ScopedContent:
    relationship: Relationship
    goals: list[Goal] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def _writers(grant: BreakGlassGrant, relationship: Relationship) -> set[int]:
    """Whose writing is shown: the person only (person scope), or both people."""
    if grant.relationship_id is not None:
        return {relationship.mentee_id, relationship.mentor_id}
    return {grant.subject_id}


@transaction.atomic
def content_under_grant(*, viewer: User, grant: BreakGlassGrant) -> list[ScopedContent]:
    """The protected content a grant opens (goals, shared notes, messages), read by ``viewer``,
    who reached ``grant`` through ``access_grant_for_reading``. Every person whose writing is
    shown gets one audit event naming the grant; under a legal exception the events are kept
    out of that person's access log (``breakglass.read_withheld``)."""
    found: list[ScopedContent] = []
    read: dict[int, Any] = {grant.subject_id: grant.subject}
    for relationship in relationships_in_scope(grant).select_related("mentee", "mentor"):
        writers = _writers(grant, relationship)
        item = ScopedContent(relationship=relationship)
        item.goals = list(
            Goal.objects.filter(relationship=relationship, owner_id__in=writers).order_by(
                "created_at"
            )
        )
        item.notes = list(
            Note.objects.filter(relationship=relationship, shared=True, author_id__in=writers)
        )
        item.messages = list(
            Message.objects.filter(
                conversation__relationship=relationship,
                author_id__in=writers,
                deleted_at__isnull=True,
            ).order_by("seq")
        )
        found.append(item)
        people = {
            relationship.mentee_id: relationship.mentee,
            relationship.mentor_id: relationship.mentor,
        }
        for writer in writers:
            read[writer] = people[writer]
    audit.record_access(
        viewer=viewer,
        subjects=list(read.values()),
        category="personal",
        action="breakglass.read_withheld" if grant.legal_exception else "breakglass.read",
        actor_role="org_admin",
        purpose="Emergency access (safeguarding or legal), approved by two admins",
        organization=grant.organization_id,
        target=grant,
        extra={"grant": grant, "reason": grant.reason},
    )
    return found
