"""Selectors for "Who accessed my data": the audit events whose data subject is the viewer.

The audit log names people only by keyed pseudonym. The kernel finds a person's events with their
key (``audit.events_about``); to show *who* acted, it recognises the actors among those who could
have acted on their data (``audit.resolve_actors``) — first the few who usually do (their mentors
and mentees, their programs' admins, their organizations' staff), then, only if some remain
unknown, every member of their organizations. Nothing maps pseudonyms back to people at rest:
once someone is erased (their secret shredded) their past actions show as "a former member", and
events about them can no longer be found by anybody, including through this page. Each event is
explained by its action's declared sentence ("Ana Mentor viewed your data").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mentorhaven.gates.audit_actions import WITHHELD_ACTIONS
from mentorhaven.kernel import audit
from mentorhaven.kernel.inventory import Category
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import OrgMembership

ROLE_LABELS = {
    "self": _("You"),
    "mentor": _("Mentor"),
    "mentee": _("Mentee"),
    "program_peer": _("Program member"),
    "program_admin": _("Program admin"),
    "org_admin": _("Organization admin"),
    "auditor": _("Auditor"),
    "security_officer": _("Security officer"),
    "member": _("Member"),
}


@dataclass(frozen=True)
class Actor:
    kind: str  # "you", "person", "system" or "unknown"
    name: str
    role: str


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    who: Actor
    action: str
    action_label: str
    category: str
    category_label: str
    purpose: str
    record_type: str


def access_events_for(*, viewer, include_own: bool = True) -> QuerySet[AuditEvent]:
    """Events about ``viewer`` (and only them), newest first; an event not sealed yet (no seq,
    for a few milliseconds) is the newest."""
    # Break-glass events under a recorded legal exception stay in the audit log, not here.
    events = audit.events_about(viewer).exclude(action__in=WITHHELD_ACTIONS)
    if not include_own:
        events = events.exclude(actor=audit.pseudonym(viewer))
    return events


def _likely_actors(viewer) -> set[int]:
    """Who acts on a person's data in the normal course: the viewer, the people they have been
    in a relationship with, the admins of their programs and the staff of their organizations.
    A handful, however large the organization."""
    from mentorhaven.mentoring.models import Relationship
    from mentorhaven.programs.models import Membership

    ids = {viewer.pk}
    for mentee_id, mentor_id in Relationship.objects.filter(
        Q(mentee=viewer) | Q(mentor=viewer)
    ).values_list("mentee_id", "mentor_id"):
        ids |= {mentee_id, mentor_id}
    programs = Membership.objects.filter(user=viewer).values("program_id")
    ids |= set(
        Membership.objects.filter(
            program_id__in=programs, role=Membership.Role.PROGRAM_ADMIN
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        OrgMembership.objects.filter(organization_id__in=_organizations(viewer))
        .exclude(role=OrgMembership.Role.MEMBER)
        .values_list("user_id", flat=True)
    )
    return ids


def _organizations(viewer) -> QuerySet:
    return OrgMembership.objects.filter(user=viewer).values("organization_id")


def _possible_actors(viewer) -> set[int]:
    """Everyone who shares an organization with the viewer, and the viewer."""
    return {
        *OrgMembership.objects.filter(organization_id__in=_organizations(viewer)).values_list(
            "user_id", flat=True
        ),
        viewer.pk,
    }


def _names(pseudonyms: set[str], people: set[int]) -> dict[str, str]:
    found = audit.resolve_actors(pseudonyms, people)
    wanted = {user_id: p for p, user_id in found.items()}
    return {wanted[user.pk]: user.name for user in get_user_model().objects.filter(pk__in=wanted)}


def describe(*, viewer, events: list[AuditEvent]) -> list[AccessEntry]:
    """Turn one page of events into who / what / when / why, resolving pseudonyms to people:
    first among the few likely actors, then, for any left over, the whole organization."""
    me = audit.pseudonym(viewer)
    unresolved = {e.actor for e in events} - {me}
    names: dict[str, str] = {}
    if unresolved:
        likely = _likely_actors(viewer)
        names = _names(unresolved, likely)
        if unresolved - set(names):
            names |= _names(unresolved - set(names), _possible_actors(viewer) - likely)
    return [_entry(e, me, names) for e in events]


def _entry(event: AuditEvent, me: str, names: dict[str, str]) -> AccessEntry:
    role = str(ROLE_LABELS.get(event.actor_role, event.actor_role.replace("_", " ").capitalize()))
    if event.actor == me:
        who = Actor("you", str(_("You")), role)
    elif event.actor in (audit.SYSTEM, ""):
        who = Actor("system", str(_("MentorHaven system")), "")
    elif event.actor in names:
        who = Actor("person", names[event.actor], role)
    else:
        who = Actor("unknown", str(_("A former member or an erased account")), role)
    try:
        category_label = Category(event.category).label
    except ValueError:
        category_label = event.category
    return AccessEntry(
        at=event.occurred_at,
        who=who,
        action=event.action,
        action_label=audit.sentence(event.action, who.name),
        category=event.category,
        category_label=category_label,
        purpose=event.purpose,
        record_type=event.target_type,
    )
