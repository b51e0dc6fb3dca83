"""Selectors for "Who accessed my data": the audit events whose data subject is the viewer.

The audit log names people only by keyed pseudonym. The kernel finds a person's events with their
key (``audit.events_about``); to show *who* acted, it recognises the actors among those who could
have acted on their data (``audit.resolve_actors``) — first the few who usually do (their mentors
and mentees, their programs' admins, their organizations' staff), then, only if some remain
unknown, every member of their organizations. Nothing maps pseudonyms back to people at rest:
once someone is erased (their secret shredded) their past actions show as "a former member", and
events about them can no longer be found by anybody, including through this page. Each event is
explained by its action's declared sentence ("Ana Mentor read your messages").

Repeated reads are grouped by reader, action, purpose and day (``audit.access_groups_about``:
the audit tables are read only through the kernel). A reported person never learns that they
were reported: the events about them say only that an admin reviewed one of their messages
(``message.admin_review``), while the reporter's say that an admin reviewed it for safety
(``report.review``); the report itself is recorded about the reporter alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mentorhaven.gates.audit_actions import WITHHELD_ACTIONS
from mentorhaven.kernel import audit
from mentorhaven.kernel.inventory import Category
from mentorhaven.programs.models import OrgMembership

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

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
    """One line of the log: the same reader, action, purpose and day, ``count`` times."""

    at: datetime  # the latest of the group
    first_at: datetime
    day: date
    count: int
    who: Actor
    action: str
    action_label: str
    category: str
    category_label: str
    purpose: str


def access_groups_for(*, viewer: User, include_own: bool = True) -> QuerySet:
    """The viewer's log, grouped (dicts; ``describe`` turns a page of them into entries).
    Break-glass events under a recorded legal exception stay in the audit log, not here."""
    return audit.access_groups_about(viewer, include_own=include_own, withheld=WITHHELD_ACTIONS)


def _likely_actors(viewer: User) -> set[int]:
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


def _organizations(viewer: User) -> QuerySet:
    return OrgMembership.objects.filter(user=viewer).values("organization_id")


def _possible_actors(viewer: User) -> set[int]:
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


def describe(*, viewer: User, groups: list[dict[str, Any]]) -> list[AccessEntry]:
    """Turn one page of groups into who / what / when / why, resolving pseudonyms to people:
    first among the few likely actors, then, for any left over, the whole organization."""
    me = audit.pseudonym(viewer)
    unresolved = {g["actor"] for g in groups} - {me}
    names: dict[str, str] = {}
    if unresolved:
        likely = _likely_actors(viewer)
        names = _names(unresolved, likely)
        if unresolved - set(names):
            names |= _names(unresolved - set(names), _possible_actors(viewer) - likely)
    return [_entry(g, me, names) for g in groups]


def _entry(group: dict[str, Any], me: str, names: dict[str, str]) -> AccessEntry:
    actor, actor_role = group["actor"], group["actor_role"]
    role = str(ROLE_LABELS.get(actor_role, actor_role.replace("_", " ").capitalize()))
    if actor == me:
        who = Actor("you", str(_("You")), role)
    elif actor in (audit.SYSTEM, ""):
        who = Actor("system", str(_("MentorHaven system")), "")
    elif actor in names:
        who = Actor("person", names[actor], role)
    else:
        who = Actor("unknown", str(_("A former member or an erased account")), role)
    try:
        category_label = Category(group["category"]).label
    except ValueError:
        category_label = group["category"]
    return AccessEntry(
        at=group["last_at"],
        first_at=group["first_at"],
        day=group["day"],
        count=group["count"],
        who=who,
        action=group["action"],
        action_label=audit.sentence(group["action"], who.name),
        category=group["category"],
        category_label=category_label,
        purpose=group["purpose"],
    )
