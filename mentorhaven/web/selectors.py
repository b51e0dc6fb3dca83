"""What each person's dashboard shows, derived from their roles. Counts only, never content.

A mentee sees their own programs and the names of their active mentors; a mentor how many
mentees they have, never who. Every staff figure is an aggregate computed in the database: a
staff dashboard never lists other people, their messages or notes. The number of queries does
not grow with the number of programs, members, invitations or audit events
(tests/web/test_dashboard_cost.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.accounts.selectors import SECOND_FACTOR_TYPES, roles_for
from mentorhaven.kernel import audit
from mentorhaven.kernel.models import AuditCheckpoint
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Invitation, Membership, Organization, OrgMembership, Program

MENTEE = Membership.Role.MENTEE
MENTOR = Membership.Role.MENTOR
PROGRAM_ADMIN = Membership.Role.PROGRAM_ADMIN
ORG_ADMIN = OrgMembership.Role.ORG_ADMIN
AUDITOR = OrgMembership.Role.AUDITOR
SECURITY_OFFICER = OrgMembership.Role.SECURITY_OFFICER

# Roles whose holders see other people's data; the security officer's coverage table lists them.
STAFF_PROGRAM_ROLES = (MENTOR, PROGRAM_ADMIN)
STAFF_ORG_ROLES = (ORG_ADMIN, AUDITOR, SECURITY_OFFICER)
DASHBOARD_ORG_ROLES = frozenset(STAFF_ORG_ROLES)
OPEN = (Relationship.Status.PROPOSED, Relationship.Status.ACTIVE)
RECENT_DAYS = 30


@dataclass
class MenteeProgram:
    program: Program
    mentors: list[str] = field(default_factory=list)  # names of their active mentors
    proposals: int = 0  # proposed matches waiting for an answer


@dataclass
class MentorProgram:
    program: Program
    capacity: int | None  # mentees this program lets one mentor take; None = not set yet
    active_mentees: int = 0
    proposals: int = 0


@dataclass
class AuditFigures:
    organization: Organization
    events: int = 0
    recent_events: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class CoverageRow:
    role: str
    label: str
    holders: int
    enrolled: int

    @property
    def percent(self) -> int:
        return round(100 * self.enrolled / self.holders) if self.holders else 100


@dataclass
class Coverage:
    organization: Organization
    rows: list[CoverageRow] = field(default_factory=list)


@dataclass
class Dashboard:
    roles: frozenset[str]
    mentee_programs: list[MenteeProgram] = field(default_factory=list)
    mentor_programs: list[MentorProgram] = field(default_factory=list)
    # Programs annotated with member counts by role and pending invitations (programs_with_figures).
    admin_programs: list[Program] = field(default_factory=list)
    # Organizations annotated with people and pending invitations, each with ``program_figures``.
    org_figures: list[Organization] = field(default_factory=list)
    audit_figures: list[AuditFigures] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    last_checkpoint: AuditCheckpoint | None = None

    @property
    def has_sections(self) -> bool:
        return any(
            (
                self.mentee_programs,
                self.mentor_programs,
                self.admin_programs,
                self.org_figures,
                self.audit_figures,
                self.coverage,
            )
        )


def _pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def _count_of(queryset: QuerySet, outer: str) -> Coalesce:
    """The number of rows of ``queryset`` whose ``outer`` is the outer row, as a subquery."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def programs_with_figures(programs: QuerySet[Program]) -> QuerySet[Program]:
    """``programs`` with ``mentees``, ``mentors``, ``admins`` and ``pending_invitations``."""

    def members(role: str) -> Coalesce:
        return _count_of(Membership.objects.filter(role=role), "program")

    return (
        programs.select_related("organization")
        .annotate(
            mentees=members(MENTEE),
            mentors=members(MENTOR),
            admins=members(PROGRAM_ADMIN),
            pending_invitations=_count_of(_pending_invitations(), "program"),
        )
        .order_by("name", "pk")
    )


def _own_programs(viewer: User, dash: Dashboard) -> list[int]:
    """Fill the viewer's mentee and mentor sections (their own relationships only) and return
    the ids of the programs they administer. Three queries at most."""
    memberships = (
        Membership.objects.filter(user=viewer)
        .select_related("program__organization")
        .order_by("program__name", "pk")
    )
    mentee_in: dict[int, MenteeProgram] = {}
    mentor_in: dict[int, MentorProgram] = {}
    administered = []
    for membership in memberships:
        program = membership.program
        if membership.role == MENTEE:
            mentee_in[program.pk] = MenteeProgram(program)
        elif membership.role == MENTOR:
            capacity = (program.settings or {}).get("mentor_capacity")
            mentor_in[program.pk] = MentorProgram(program, capacity)
        elif membership.role == PROGRAM_ADMIN:
            administered.append(program.pk)
    if mentee_in:
        mine = Relationship.objects.filter(
            mentee=viewer, program__in=mentee_in, status__in=OPEN
        ).select_related("mentor")
        for relationship in mine:
            view = mentee_in[relationship.program_id]
            if relationship.status == Relationship.Status.ACTIVE:
                view.mentors.append(relationship.mentor.name)
            else:
                view.proposals += 1
    if mentor_in:
        counts = (
            Relationship.objects.filter(mentor=viewer, program__in=mentor_in, status__in=OPEN)
            .values("program_id")
            .annotate(
                active=Count("pk", filter=Q(status=Relationship.Status.ACTIVE)),
                proposed=Count("pk", filter=Q(status=Relationship.Status.PROPOSED)),
            )
        )
        for row in counts:
            mentor_in[row["program_id"]].active_mentees = row["active"]
            mentor_in[row["program_id"]].proposals = row["proposed"]
    dash.mentee_programs = list(mentee_in.values())
    dash.mentor_programs = list(mentor_in.values())
    return administered


def _org_figures(org_ids: list[int]) -> list[Organization]:
    """The organizations with ``people``, ``pending_invitations`` and ``program_figures``."""
    organizations: list[Organization] = list(
        Organization.objects.filter(pk__in=org_ids)
        .annotate(
            people=Coalesce(
                Subquery(
                    OrgMembership.objects.filter(organization=OuterRef("pk"))
                    .order_by()
                    .values("organization")
                    .annotate(n=Count("user", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            pending_invitations=_count_of(_pending_invitations(), "organization"),
        )
        .order_by("name", "pk")
    )
    by_org = defaultdict(list)
    for program in programs_with_figures(Program.objects.filter(organization__in=org_ids)):
        by_org[program.organization_id].append(program)
    for organization in organizations:
        organization.program_figures = by_org[organization.pk]  # type: ignore[attr-defined]
    return organizations


def _audit_figures(orgs: list[Organization]) -> list[AuditFigures]:
    """Audit event counts per organization and data category (auditor's view): one query."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    figures = {org.pk: AuditFigures(organization=org) for org in orgs}
    for org_id, category, events, recent in audit.event_counts_by_organization(
        list(figures), since=since
    ):
        f = figures[org_id]
        f.events += events
        f.recent_events += recent
        category = category or "other"
        f.by_category[category] = f.by_category.get(category, 0) + events
    return sorted(figures.values(), key=lambda f: f.organization.name)


def _coverage(orgs: list[Organization]) -> list[Coverage]:
    """How many holders of each staff role have a second factor, per organization: two
    aggregate queries (a person holding a role in several programs counts once)."""
    enrolled = Exists(
        Authenticator.objects.filter(user=OuterRef("user"), type__in=SECOND_FACTOR_TYPES)
    )
    figures = {
        "holders": Count("user", distinct=True),
        "enrolled": Count("user", distinct=True, filter=Q(enrolled)),
    }
    org_ids = [org.pk for org in orgs]
    program_staff = (
        Membership.objects.filter(program__organization__in=org_ids, role__in=STAFF_PROGRAM_ROLES)
        .values_list("program__organization", "role")
        .annotate(**figures)
        .order_by()
    )
    org_staff = (
        OrgMembership.objects.filter(organization__in=org_ids, role__in=STAFF_ORG_ROLES)
        .values_list("organization", "role")
        .annotate(**figures)
        .order_by()
    )
    counted = {(org, role): (held, with_mfa) for org, role, held, with_mfa in program_staff}
    counted |= {(org, role): (held, with_mfa) for org, role, held, with_mfa in org_staff}
    labels = dict(Membership.Role.choices) | dict(OrgMembership.Role.choices)
    return [
        Coverage(
            organization=org,
            rows=[
                CoverageRow(role, labels[role], *counted.get((org.pk, role), (0, 0)))
                for role in (*STAFF_PROGRAM_ROLES, *STAFF_ORG_ROLES)
            ],
        )
        for org in sorted(orgs, key=lambda o: o.name)
    ]


def dashboard_for(viewer: User) -> Dashboard:
    """The viewer's dashboard: one section per role they hold, each with counts only.

    The roles decide which tables are read at all: a mentee's dashboard never reads
    organization memberships, an auditor's never reads program memberships.
    """
    roles = roles_for(viewer)
    dash = Dashboard(roles=roles)
    administered = _own_programs(viewer, dash) if roles & set(Membership.Role.values) else []
    if administered:
        dash.admin_programs = list(
            programs_with_figures(Program.objects.filter(pk__in=administered))
        )
    if not roles & DASHBOARD_ORG_ROLES:
        return dash
    orgs_by_role: dict[str, list[Organization]] = defaultdict(list)
    staff = OrgMembership.objects.filter(user=viewer, role__in=DASHBOARD_ORG_ROLES)
    for membership in staff.select_related("organization").order_by("organization__name"):
        orgs_by_role[membership.role].append(membership.organization)
    if orgs_by_role[ORG_ADMIN]:
        dash.org_figures = _org_figures([org.pk for org in orgs_by_role[ORG_ADMIN]])
    if orgs_by_role[AUDITOR]:
        dash.audit_figures = _audit_figures(orgs_by_role[AUDITOR])
        # The log's integrity is proven offline by `mentorhaven audit verify`; the auditor sees
        # when its tail was last signed.
        dash.last_checkpoint = audit.last_checkpoint()
    if orgs_by_role[SECURITY_OFFICER]:
        dash.coverage = _coverage(orgs_by_role[SECURITY_OFFICER])
    return dash
